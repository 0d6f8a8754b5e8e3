import ArbEngine

/// `GET /metrics`: service series, every visible campaign's series and the process series.
public struct MetricsExposition: Sendable {
    public let service: ServiceMetrics
    let manager: CampaignManager

    public init(service: ServiceMetrics, manager: CampaignManager) {
        self.service = service
        self.manager = manager
    }

    public func render() async -> [UInt8] {
        let view = await manager.metricsView()
        service.setCampaigns(view.states)
        var text = MetricsText()
        service.emit(into: &text)
        CampaignMetrics.render(view.probes, into: &text)
        ProcessMetrics.render(into: &text)
        return text.bytes
    }
}
