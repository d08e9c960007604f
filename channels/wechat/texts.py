"""What the WeChat channel itself says to residents (the assistant says everything else)."""

VOICE_NOT_RECOGNISED = ("抱歉，这条语音没能识别成文字。请打字告诉我您想办的事，"
                        "比如“社保卡丢了怎么办”；也可以再说一遍，尽量说慢一点。")

UNSUPPORTED = ("抱歉，暂不支持{kind}消息。请用文字或语音告诉我您想办的事，比如“社保卡丢了怎么办”；"
               "发送位置可以帮您找最近的办事大厅。需要人工帮助请回复“转人工”。")

UNSUPPORTED_KINDS = {"image": "图片", "video": "视频", "shortvideo": "视频", "link": "链接",
                     "file": "文件", "music": "音乐"}
UNSUPPORTED_DEFAULT = "这类"

UNKNOWN_MENU = "这个菜单暂时不可用，请直接告诉我您想办的事，比如“社保卡丢了怎么办”。"

OUTSIDE_WUHU = ("收到您的位置。您好像不在芜湖市范围内，请回复您要去办事的区县，"
                "比如“镜湖区”“无为市”，我告诉您最近的办事大厅。")

NEAREST_HALL = "收到您的位置{label}。离您最近的综合办事大厅：\n{name}\n地址：{address}\n时间：{hours}"

ASSISTANT_FAILED = "抱歉，系统暂时出了点问题，请稍后再试；急事可拨打 12345 政务服务便民热线。"

# -- long replies and customer-service messages that did not arrive ------------------------
#: Ends the shortened first part of a long reply (the question that follows is complete).
TRUNCATED = "（未完，后续内容稍后发送）"
#: Heads each later part of a long reply.
CONTINUED = "（续上条 {part}/{total}）"
#: Added to the next reply after a later part could not be delivered.
MISSED_NOTICE = "上次有部分内容没能发送成功，您可以回复“再说一遍”，我把没收到的内容重新发给您。"
#: Heads the resent parts.
RESENT = "（补发上次没收到的内容）"
#: What a resident says to get the missed parts (compared without spaces and punctuation).
REPEAT_REQUESTS = frozenset({"再说一遍", "再说一次", "再发一遍", "再发一次", "重发", "重新发送",
                             "没收到", "补发"})

# -- 转人工 ------------------------------------------------------------------------------------
#: Heads a staff member's message (the assistant's own have no heading).
STAFF_HEADING = "【工作人员】"
