#!/usr/bin/env bash
# Schemathesis (every default check, schemathesis.toml) against the live service with openapi/openapi.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${SCHEMATHESIS_EXAMPLES:-25}
python3 -c "
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
validate(read_from_filename('openapi/openapi.yaml')[0])
print('openapi/openapi.yaml: valid OpenAPI 3.1')"
. scripts/lib/service.sh
start_service
set +e
schemathesis run openapi/openapi.yaml --url "$SERVICE_URL" --max-examples "$examples" --seed 1 --no-color
result=$?
set -e
if ! kill -0 "$SERVICE_PID" 2>/dev/null; then echo "schemathesis: the service died"; tail -50 "$SERVICE_LOG"; exit 1; fi
stop_service
exit $result
