/* The floor for any tool that reads a capture through libpcap, as edm-decode does: every
 * packet read, as PcapReader reads it (nanosecond precision, a 128 KB stdio buffer), and
 * nothing else done with it. decode-bench.sh runs it on the same file as edm-decode so
 * the two can be compared side by side.
 *
 *   cc -O2 Benchmarks/pcap-read-floor.c -lpcap -o pcap-read-floor && ./pcap-read-floor FILE
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE.pcap[ng]\n", argv[0]); return 64; }
    FILE *file = fopen(argv[1], "rb");
    if (!file) { perror(argv[1]); return 66; }
    setvbuf(file, malloc(128 << 10), _IOFBF, 128 << 10);
    char error[PCAP_ERRBUF_SIZE];
    pcap_t *pcap = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, error);
    if (!pcap) { fprintf(stderr, "%s: %s\n", argv[1], error); return 65; }
    struct pcap_pkthdr *header;
    const u_char *data;
    long packets = 0, bytes = 0;
    while (pcap_next_ex(pcap, &header, &data) == 1) { packets++; bytes += header->caplen; }
    printf("%ld packets, %ld bytes\n", packets, bytes);
    pcap_close(pcap);
    return 0;
}
