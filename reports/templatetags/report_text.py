from django import template

from reports.narrative import money_text

register = template.Library()


@register.filter(name="money_text")
def money_text_filter(value, unit: str = "元") -> str:
    """An amount written exactly in the report's prose: {{ executed|money_text }}, {{ budget_amount|money_text:"万元" }}."""
    if value is None or value == "":
        return ""
    return money_text(value, unit=unit)
