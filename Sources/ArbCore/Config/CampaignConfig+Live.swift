extension CampaignConfig {
    /// `market_data.live` with every venue's feed: `venue_config.<venue>.ws_url`, `rest_url` and `feed`, falling
    /// back to the seed's keys for Upbit and Binance, then to the venue's public endpoints.
    static func liveConfig(_ t: JSONValue) -> LiveConfig {
        let l = "market_data.live."
        let feeds = PerVenue<VenueFeedConfig> { venue in
            let v = "venue_config.\(venue.rawValue)."
            let legacy = venue == .upbit || venue == .binance
            func pick(_ key: String, _ legacyKey: String?, _ fallback: String) -> String {
                if let value = t.at(v + key)?.stringValue { return value }
                if legacy, let legacyKey, let value = t.at(l + venue.rawValue + "_" + legacyKey)?.stringValue { return value }
                return fallback
            }
            let standard = VenueFeedConfig.standard(venue)
            let legacyFeed = venue == .upbit ? "depth" : "stream"
            return VenueFeedConfig(wsURL: pick("ws_url", "ws_url", standard.wsURL), restURL: pick("rest_url", "rest_url", standard.restURL),
                                   feed: pick("feed", legacyFeed, standard.feed),
                                   format: venue == .upbit ? t.at(l + "upbit_format")!.stringValue! : standard.format)
        }
        return LiveConfig(
            feeds: feeds, maxStreamsPerConnection: Int(t.at(l + "max_streams_per_connection")!.intValue!),
            silenceSeconds: t.at(l + "silence_seconds")!.doubleValue!, reconnectMinSeconds: t.at(l + "reconnect_min_seconds")!.doubleValue!,
            reconnectMaxSeconds: t.at(l + "reconnect_max_seconds")!.doubleValue!,
            connectionMaxAgeSeconds: t.at(l + "connection_max_age_seconds")!.doubleValue!)
    }
}
