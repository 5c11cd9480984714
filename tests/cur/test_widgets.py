from django import forms

from cur.widgets import speed_up


class Form(forms.Form):
    one = forms.ChoiceField(choices=[("", "---"), ("a", "Альфа & Ко"), ("b", "<Бета>")], required=False)
    many = forms.MultipleChoiceField(choices=[("x", "Икс"), ("y", "Игрек")], required=False)
    grouped = forms.ChoiceField(choices=[("ЖКХ", [("1", "Вода")]), ("Дороги", [("2", "Ямы")])])
    flag = forms.NullBooleanField(required=False)


def test_fast_select_renders_the_same_html_as_django():
    data = {"one": "b", "many": ["x", "y"], "grouped": "2", "flag": "true"}
    slow, fast = Form(data), Form(data)
    for field in fast.fields.values():
        speed_up(field.widget)

    def normalise(html: str) -> str:
        return "".join(html.split())

    for name in Form.base_fields:
        assert normalise(str(fast[name])) == normalise(str(slow[name])), name
