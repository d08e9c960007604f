"""Rasa's training components in words staff read on the progress line.

Rasa logs "Starting to train component 'DIETClassifier'"; the page says what is being
trained, with the class name's short form in brackets for anyone comparing with the log.
A component this table does not know is shown as 组件（name）.
"""
from __future__ import annotations

COMPONENT_LABELS: dict[str, str] = {
    "NormalizingJiebaTokenizer": "分词器（结巴）",
    "JiebaTokenizer": "分词器（结巴）",
    "WhitespaceTokenizer": "分词器",
    "RegexFeaturizer": "正则特征",
    "LexicalSyntacticFeaturizer": "词法特征",
    "CountVectorsFeaturizer": "词频特征",
    "DIETClassifier": "意图分类器（DIET）",
    "FaqResponseSelector": "常见问题答案选择器",
    "ResponseSelector": "答案选择器",
    "RegexEntityExtractor": "实体提取（词表）",
    "EntitySynonymMapper": "同义词映射",
    "FallbackClassifier": "未识别判定",
    "ServiceSearch": "服务搜索",
    "CommandMatcher": "指令匹配",
    "InputGuard": "输入检查",
    "RulePolicy": "对话规则",
    "MemoizationPolicy": "对话记忆",
    "AugmentedMemoizationPolicy": "对话记忆",
    "TEDPolicy": "对话策略（TED）",
    "UnexpecTEDIntentPolicy": "对话策略（TED）",
}


def component_label(name: str) -> str:
    """意图分类器（DIET） for DIETClassifier; 组件（name） for one not listed."""
    return COMPONENT_LABELS.get(name, f"组件（{name}）")
