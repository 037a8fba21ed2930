"""The five roles of the system; each is a Django group of the same name."""

from enum import StrEnum


class Role(StrEnum):
    CENTER_STAFF = "中心工作人员"
    STREET_ADMIN = "街镇管理员"
    FINANCE = "财务审核员"
    LEADER = "领导"
    ADMIN = "系统管理员"
