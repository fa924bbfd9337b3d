"""The 3-5-7 mechanism's vocabulary that weekly reports are recorded against (BRIEF.md)."""

from __future__ import annotations

# code -> (English label, Thai label)
MECHANISMS: dict[str, tuple[str, str]] = {
    "coordinate": ("coordinate partners", "ประสานงานภาคี"),
    "integrate": ("integrate plans", "บูรณาการแผน"),
    "monitor": ("monitor and evaluate", "ติดตามประเมินผล"),
    "knowledge": ("knowledge management", "การจัดการความรู้"),
    "communicate": ("social communication", "สื่อสารสังคม"),
}

NETWORKS: dict[str, tuple[str, str]] = {
    "government": ("government", "ราชการ"),
    "religious": ("religious leaders", "ผู้นำศาสนา"),
    "academic": ("academia", "วิชาการ"),
    "private": ("private sector", "เอกชน"),
    "civil_society": ("civil society", "ประชาสังคม"),
    "people": ("the people", "ประชาชน"),
    "media": ("mass media", "สื่อสารมวลชน"),
}

SDGS = range(1, 18)
