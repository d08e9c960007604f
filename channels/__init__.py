"""Custom Rasa input channels: REST (rest/), the web chat (webchat/) and the WeChat Official
Account (wechat/), with what they share: rate limits, client addresses behind trusted proxies,
residents' text taken as text, and conversation namespaces."""
