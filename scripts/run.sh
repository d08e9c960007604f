#!/usr/bin/env bash
# Start the action server and the Rasa server on the embedded defaults; Ctrl-C stops both.
# `scripts/run.sh shell` chats in the terminal instead of serving HTTP.
set -euo pipefail
umask 077  # databases, keys, tokens and logs: this user only
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
CONSOLE_PORT=${CONSOLE_PORT:-5002}
export GOV_VAR_DIR=${GOV_VAR_DIR:-$PWD/var}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}
export TRACKER_DB=${TRACKER_DB:-$GOV_VAR_DIR/tracker.db}
export EVENTS_DB=${EVENTS_DB:-$GOV_VAR_DIR/events.db}
# WeChat channel (credentials.yml): off unless WECHAT_TOKEN is set; empty defaults let Rasa expand them.
export WECHAT_TOKEN=${WECHAT_TOKEN:-} WECHAT_APPID=${WECHAT_APPID:-} WECHAT_APPSECRET=${WECHAT_APPSECRET:-}
export WECHAT_AES_KEY=${WECHAT_AES_KEY:-} WECHAT_API_BASE=${WECHAT_API_BASE:-https://api.weixin.qq.com}
# Internals listen on this machine only; set these to an interface address for a cluster.
ACTIONS_HOST=${ACTIONS_HOST:-127.0.0.1}
export CONSOLE_HOST=${CONSOLE_HOST:-127.0.0.1}
# Every channel: request bodies and websocket frames up to 64 KB (larger: 413). The Rasa server
# only: its own calls to the action server carry whole conversations.
RASA_MAX_BODY=${SANIC_REQUEST_MAX_SIZE:-65536}
unset SANIC_REQUEST_MAX_SIZE
# Behind a reverse proxy, list it here (e.g. 127.0.0.1) so limits see the real client address;
# REST from anywhere but this machine needs REST_TOKEN (or REST_TOKEN_FILE). See README "Trust boundary".
export TRUSTED_PROXIES=${TRUSTED_PROXIES:-} REST_TOKEN=${REST_TOKEN:-} REST_TOKEN_FILE=${REST_TOKEN_FILE:-}
"$BIN/python" -c 'import sys; from bot.config import ensure_private_dir as p; [p(d) for d in sys.argv[1:]]' "$GOV_VAR_DIR" logs

# shellcheck source=scripts/processes.sh
source scripts/processes.sh

# Idle connections outlive Rasa's client pool (15 s): see ACTION_SERVER_ENV in bot/stack.py.
SANIC_HOST=$ACTIONS_HOST SANIC_KEEP_ALIVE_TIMEOUT=75 "$BIN/rasa" run actions --actions actions --port "$ACTIONS_PORT" >logs/actions.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$ACTIONS_PORT/health" "${pids[0]}" "action server (logs/actions.log)"

if [ "${1:-}" = "shell" ]; then
  "$BIN/rasa" shell --endpoints endpoints.yml
  exit 0
fi

# Rasa's admin API (model activation by the console) is on, behind a token kept in var/ (0600).
# bot.serve reads it from the file: `rasa run --auth-token` would show it in the process list.
if [ ! -s "$GOV_VAR_DIR/rasa_token" ]; then
  (umask 077; "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$GOV_VAR_DIR/rasa_token")
fi
chmod 600 "$GOV_VAR_DIR/rasa_token"
# The model staff put live last (var/active_model, cleared by `make train`), else the newest.
MODEL=models
if [ -s "$GOV_VAR_DIR/active_model" ] && [ -f "models/$(cat "$GOV_VAR_DIR/active_model")" ]; then
  MODEL="models/$(cat "$GOV_VAR_DIR/active_model")"
fi
SANIC_REQUEST_MAX_SIZE=$RASA_MAX_BODY SANIC_WEBSOCKET_MAX_SIZE=$RASA_MAX_BODY \
  RASA_TOKEN_FILE="$GOV_VAR_DIR/rasa_token" "$BIN/python" -m bot.serve --model "$MODEL" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml --cors "*" --enable-api &
pids+=($!)
wait_for "http://localhost:$RASA_PORT/" "${pids[1]}" "Rasa server"

# Staff console (its own port, on CONSOLE_HOST: this machine only by default). The CSRF secret is made once and kept in var/;
# cookies without Secure because this embedded default is plain http on localhost.
if [ ! -s "$GOV_VAR_DIR/console_secret" ]; then
  (umask 077; "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$GOV_VAR_DIR/console_secret")
fi
RASA_URL=http://localhost:$RASA_PORT RASA_TOKEN=$(cat "$GOV_VAR_DIR/rasa_token") \
  CONSOLE_SECRET=$(cat "$GOV_VAR_DIR/console_secret") CONSOLE_SECURE_COOKIES=${CONSOLE_SECURE_COOKIES:-0} \
  CONSOLE_PORT=$CONSOLE_PORT "$BIN/python" -m console.web.server >logs/console.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$CONSOLE_PORT/login" "${pids[2]}" "staff console (logs/console.log)"
# Analytics: conversation events from the SQL event broker into the dashboard's facts.
"$BIN/python" -m bot analytics >>logs/analytics.log 2>&1 &
pids+=($!)
# Retention: old conversation events and abandoned drafts are purged hourly (counts in the log).
"$BIN/python" -m bot purge --every 3600 >>logs/retention.log 2>&1 &
pids+=($!)
cat <<MSG

芜湖政务服务助手已启动 / The assistant is up:
  网页聊天: http://localhost:$RASA_PORT/chat/   (手机浏览器打开；长辈模式在右上角)
  REST:    curl -s -XPOST http://localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' -d '{"sender":"me","message":"社保卡怎么办"}'
  终端对话: make shell      (Ctrl-C 停止 / stops everything)
  工作人员后台: http://localhost:$CONSOLE_PORT/   (首个管理员: .venv/bin/python -m console user add admin --role admin)
MSG
if [ -n "$WECHAT_TOKEN" ]; then
  echo "  微信公众号: http://<本机公网地址>:$RASA_PORT/webhooks/wechat/webhook  (公众平台“服务器配置”填此 URL)"
else
  echo "  微信公众号: 未启用（设置 WECHAT_TOKEN 等环境变量后重启即可，见 README）"
fi
wait -n "${pids[@]}"
