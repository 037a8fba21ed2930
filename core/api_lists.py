"""What the API's read routes (core.api) share: their query parameters, their pages and their labels.

A route declares its query parameters as a serializer: the schema lists them from it
(`extend_schema(parameters=[TheQuery])`) and a wrong one is a 400 problem naming it, never a 500.
"""

from rest_framework import serializers

from core.api import Pages
from core.money import MONEY


def query_params(request, query: type[serializers.Serializer]) -> dict:
    """The request's query parameters checked by `query` (raises ValidationError: a 400 problem)."""
    checked = query(data=request.query_params)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


def page_serializer(rows: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The schema of one page of `rows` as Pages answers it: {count, next, previous, results}."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="符合条件的总条数"),
            "next": serializers.URLField(allow_null=True, help_text="下一页的地址，没有则为 null"),
            "previous": serializers.URLField(allow_null=True, help_text="上一页的地址，没有则为 null"),
            "results": rows(many=True),
            "__module__": rows.__module__,
        },
    )


def paginated(view, request, rows, serializer: type[serializers.Serializer], context: dict | None = None):
    """One page of `rows` (a queryset or a list), each shown by `serializer`."""
    pages = Pages()
    page = pages.paginate_queryset(rows, request, view=view)
    return pages.get_paginated_response(serializer(page, many=True, context=context or {}).data)


def two_places(**kwargs) -> serializers.DecimalField:
    """A figure to the 分 sent as a string ("1234.50", never a float): money in 元, a rate or a score."""
    return serializers.DecimalField(**MONEY, **kwargs)


class LabelField(serializers.ChoiceField):
    """A choice answered by its Chinese label (优秀, 已拨付 …), the schema listing the labels."""

    def __init__(self, choices, **kwargs):
        self.label_of = {value: str(label) for value, label in choices}
        super().__init__(choices=list(self.label_of.values()), **kwargs)

    def to_representation(self, value):
        return self.label_of.get(value, value)


class PageQuery(serializers.Serializer):
    """The page parameters every paginated route takes (core.api.Pages reads them)."""

    page = serializers.IntegerField(required=False, min_value=1, help_text="页码，从 1 起")
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=Pages.max_page_size,
        help_text=f"每页条数，默认 {Pages.page_size}，至多 {Pages.max_page_size}",
    )
