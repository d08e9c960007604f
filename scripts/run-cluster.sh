#!/usr/bin/env bash
# The cluster profile on one machine (`make run-cluster`, docs/deploy.md): the application and
# the conversations on PostgreSQL, locks and the channels' shared state on Redis, events to
# RabbitMQ, NODES Rasa servers (each with its own action server) behind HAProxy on RASA_PORT,
# the staff console, the purge loop. The services must be running; a node that cannot reach
# PostgreSQL or Redis stops with a CRITICAL line in its log. Ctrl-C stops everything.
set -euo pipefail
umask 077  # keys, tokens and logs: this user only
cd "$(dirname "$0")/.."
BIN=.venv/bin
NODES=${NODES:-2}
RASA_PORT=${RASA_PORT:-5005}              # HAProxy: the only public port
NODE_PORT_BASE=${NODE_PORT_BASE:-5100}    # node i: Rasa on BASE+i, its action server on BASE+50+i
CONSOLE_PORT=${CONSOLE_PORT:-5002}
HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
export GOV_VAR_DIR=${GOV_VAR_DIR:-$PWD/var}
# One PostgreSQL database for the application tables and Rasa's `events` (set TRACKER_DB to split them).
export GOV_DATABASE_URL=${GOV_DATABASE_URL:-postgresql+psycopg2://root@127.0.0.1:5432/gov}
export TRACKER_DB=${TRACKER_DB:-$GOV_DATABASE_URL}
export GOV_REDIS_URL=${GOV_REDIS_URL:-redis://127.0.0.1:6379/0}
export RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1} RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
export RABBITMQ_USERNAME=${RABBITMQ_USERNAME:-guest} RABBITMQ_PASSWORD=${RABBITMQ_PASSWORD:-guest}
export RABBITMQ_QUEUE=${RABBITMQ_QUEUE:-gov_events}
# Rasa's tracker store pool per node (its defaults, 50 + 100, exceed PostgreSQL's 100 connections).
export SQL_POOL_SIZE=${SQL_POOL_SIZE:-5} SQL_MAX_OVERFLOW=${SQL_MAX_OVERFLOW:-10}
export WECHAT_TOKEN=${WECHAT_TOKEN:-} WECHAT_APPID=${WECHAT_APPID:-} WECHAT_APPSECRET=${WECHAT_APPSECRET:-}
export WECHAT_AES_KEY=${WECHAT_AES_KEY:-} WECHAT_API_BASE=${WECHAT_API_BASE:-https://api.weixin.qq.com}
# HAProxy forwards the resident's address: the channels' limits trust it from this machine only.
export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1} REST_TOKEN=${REST_TOKEN:-} REST_TOKEN_FILE=${REST_TOKEN_FILE:-}
export CONSOLE_HOST=${CONSOLE_HOST:-127.0.0.1}
"$BIN/python" -c 'import sys; from bot.config import ensure_private_dir as p; [p(d) for d in sys.argv[1:]]' "$GOV_VAR_DIR" logs

# shellcheck source=scripts/processes.sh
source scripts/processes.sh

# Once, before any node: the database, its schema, the catalogue; secrets every node shares.
"$BIN/python" -m bot.cluster_config ensure-database "$GOV_DATABASE_URL" >/dev/null
"$BIN/python" -m bot db upgrade
"$BIN/python" -m bot load-catalogue
"$BIN/python" -c 'from bot.config import get_settings as g; from bot.security.keys import ensure_data_key_file as d, ensure_digest_key_file as k; s = g(); d(s.data_key_file); k(s.digest_key_file)'
for name in webchat_secret rasa_token console_secret; do
  [ -s "$GOV_VAR_DIR/$name" ] || (umask 077; "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$GOV_VAR_DIR/$name")
done
export WEBCHAT_SECRET
WEBCHAT_SECRET=$(cat "$GOV_VAR_DIR/webchat_secret")  # every node signs and checks web chat sessions alike

MODEL=models
if [ -s "$GOV_VAR_DIR/active_model" ] && [ -f "models/$(cat "$GOV_VAR_DIR/active_model")" ]; then
  MODEL="models/$(cat "$GOV_VAR_DIR/active_model")"
fi
node_urls=() node_pids=()
for i in $(seq "$NODES"); do
  port=$((NODE_PORT_BASE + i)) actions=$((NODE_PORT_BASE + 50 + i))
  SANIC_HOST=127.0.0.1 SANIC_KEEP_ALIVE_TIMEOUT=75 "$BIN/rasa" run actions --actions actions --port "$actions" \
    >"logs/actions-node$i.log" 2>&1 &
  pids+=($!)
  ACTION_ENDPOINT_URL=http://127.0.0.1:$actions/webhook RASA_TOKEN_FILE="$GOV_VAR_DIR/rasa_token" \
    "$BIN/python" -m bot.serve --model "$MODEL" --port "$port" --interface 127.0.0.1 \
    --credentials deploy/cluster/credentials.yml --endpoints deploy/cluster/endpoints.yml --enable-api \
    >"logs/rasa-node$i.log" 2>&1 &
  pids+=($!)
  node_pids[i]=$!
  node_urls+=("http://127.0.0.1:$port")
done
# Models load in parallel; a node is ready when its health route says so.
for i in $(seq "$NODES"); do
  wait_for "http://127.0.0.1:$((NODE_PORT_BASE + i))/webhooks/health/" "${node_pids[i]}" "Rasa node $i (logs/rasa-node$i.log)" 300
done

"$BIN/python" -m bot.cluster_config haproxy "$RASA_PORT" "${node_urls[@]}" >"$GOV_VAR_DIR/haproxy.cfg"
"$HAPROXY" -db -f "$GOV_VAR_DIR/haproxy.cfg" >logs/haproxy.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$RASA_PORT/" "$!" "HAProxy (logs/haproxy.log)" 300

# The console on the same database (its own tables, migrated when it starts); it activates a
# model on node 1 through the admin API. TODO(cluster): put a new model live on every node.
RASA_URL=${node_urls[0]} RASA_TOKEN=$(cat "$GOV_VAR_DIR/rasa_token") \
  CONSOLE_SECRET=$(cat "$GOV_VAR_DIR/console_secret") CONSOLE_SECURE_COOKIES=${CONSOLE_SECURE_COOKIES:-0} \
  CONSOLE_PORT=$CONSOLE_PORT "$BIN/python" -m console.web.server >logs/console.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$CONSOLE_PORT/login" "$!" "staff console (logs/console.log)" 300
"$BIN/python" -m bot purge --every 3600 >>logs/retention.log 2>&1 &
pids+=($!)
# One analytics worker for the cluster: the RabbitMQ queue every node publishes to → facts.
GOV_ANALYTICS_SOURCE=rabbitmq "$BIN/python" -m bot analytics >>logs/analytics.log 2>&1 &
pids+=($!)
cat <<MSG

芜湖政务服务助手（集群模式）已启动 / The assistant is up in the cluster profile:
  $NODES Rasa nodes behind HAProxy: http://localhost:$RASA_PORT/   (网页聊天 /chat/，REST /webhooks/rest/webhook)
  nodes: ${node_urls[*]}   logs: logs/rasa-node*.log, logs/actions-node*.log, logs/haproxy.log
  PostgreSQL: ${GOV_DATABASE_URL##*@}   Redis: ${GOV_REDIS_URL##*@}   RabbitMQ queue: $RABBITMQ_QUEUE
  工作人员后台: http://localhost:$CONSOLE_PORT/      (Ctrl-C 停止 / stops everything)
MSG
wait -n "${pids[@]}"
