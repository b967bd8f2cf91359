import ArgumentParser

@main
struct AzureDPS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "azure-dps",
        abstract: "Provision a u-blox NINA-W13/W15 module with Azure IoT Hub DPS over its serial port."
    )
}
