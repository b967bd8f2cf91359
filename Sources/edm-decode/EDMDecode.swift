import ArgumentParser
@main struct EDMDecode: ParsableCommand {}
