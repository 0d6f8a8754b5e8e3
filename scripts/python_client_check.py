#!/usr/bin/env python3
"""Uses the generated client (scripts/python_client.sh) against a running service: the models are typed, so a
response that does not match openapi/openapi.yaml fails here."""
import json
import pathlib
import sys
import time

import jsonschema
import yaml
from arbitrage_client import Client
from arbitrage_client.api.default import create_campaign, get_campaign, get_stats, list_trades
from arbitrage_client.models import Campaign, CampaignConfig, CampaignStatus, Stats, TradeList

client = Client(base_url=sys.argv[1], raise_on_unexpected_status=True)
document = yaml.safe_load((pathlib.Path(__file__).parent.parent / "openapi/openapi.yaml").read_text())


def conforms(response, schema):
    """The raw body matches the document's schema exactly (the generated models do not check extra keys)."""
    jsonschema.validate(json.loads(response.content), {"$ref": f"#/components/schemas/{schema}", "components": document["components"]},
                        cls=jsonschema.Draft202012Validator)
    return response.parsed


config = CampaignConfig.from_dict({
    "universe": {"top_n": 3}, "engine": {"mode": "multi", "multi_symbol_enabled": True},
    "strategy": {"entry_threshold_bps": -5}, "session": {"clock": "simulated", "max_runtime_seconds": 600},
})
created = create_campaign.sync(client=client, body=config)
assert isinstance(created, Campaign), created
for _ in range(300):
    campaign = conforms(get_campaign.sync_detailed(created.id, client=client), "Campaign")
    assert isinstance(campaign, Campaign), campaign
    if campaign.status != CampaignStatus.RUNNING and campaign.status != CampaignStatus.PENDING:
        break
    time.sleep(0.1)
assert campaign.status == CampaignStatus.COMPLETED, campaign.status
assert campaign.config.universe.top_n == 3

stats = conforms(get_stats.sync_detailed(created.id, client=client), "Stats")
assert isinstance(stats, Stats), stats
assert stats.trades.opened > 0 and stats.balances.reconciled, stats.trades
assert stats.num_symbols == 3 and set(stats.per_symbol.additional_properties) == set(stats.symbols)
assert stats.risk_stats.global_.trades_executed == stats.trades.executed

trades = conforms(list_trades.sync_detailed(created.id, client=client, limit=1000), "TradeList")
assert isinstance(trades, TradeList), trades
assert len(trades.items) == stats.trades.opened, (len(trades.items), stats.trades.opened)
assert all(t.route in stats.symbols for t in trades.items)
# A realtime campaign's live stats (event-driven, so tick-to-decision figures are there too) and its final ones.
realtime = create_campaign.sync(client=client, body=CampaignConfig.from_dict({
    "universe": {"top_n": 2}, "engine": {"mode": "multi", "multi_symbol_enabled": True},
    "session": {"clock": "realtime", "max_runtime_seconds": 3},
}))
live = None
for _ in range(100):
    response = get_stats.sync_detailed(realtime.id, client=client)
    if response.status_code == 200:
        live = conforms(response, "Stats")
        break
    time.sleep(0.1)
assert live is not None and live.status == "running", live
while get_campaign.sync(realtime.id, client=client).status == CampaignStatus.RUNNING:
    time.sleep(0.2)
final = conforms(get_stats.sync_detailed(realtime.id, client=client), "Stats")
assert final.performance.tick_to_decision_us is not None and final.performance.tick_to_decision_us.count > 0

print(f"python client: campaign {campaign.id} {campaign.status.value}, {stats.trades.opened} trades on "
      f"{stats.num_symbols} routes read through typed models")
