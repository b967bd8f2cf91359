// The library's public face: one import gives the whole core, layer by layer.
@_exported import EDMBytes
@_exported import EDMFrames
@_exported import EDMAT
@_exported import EDMSession
@_exported import EDMTrace
@_exported import EDMAnalysis
@_exported import EDMRender
@_exported import EDMProvisioning
@_exported import EDMModel
@_exported import EDMReplay
