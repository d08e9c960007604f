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
