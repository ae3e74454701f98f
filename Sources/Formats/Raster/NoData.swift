/// NoData marker written for masked cells.
public let rasterNoData: Float = -9999
