"""The user's API tokens: make one (its key shown once, on the answer to the form), list them, revoke one."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from api.models import ApiToken

MAX_ACTIVE_TOKENS = 10


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên gợi nhớ"),
        max_length=100,
        help_text=gettext_lazy("Ví dụ: “Bảng tính báo cáo của Ban Tổ chức”."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].error_messages["required"] = _("Hãy đặt tên gợi nhớ cho khóa.")
        self.fields["name"].widget.attrs["class"] = "form-control"

    def clean(self):
        active = ApiToken.objects.filter(user=self.user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise forms.ValidationError(
                _("Đồng chí đã có {n} khóa đang dùng: hãy thu hồi một khóa không còn dùng trước.").format(n=active)
            )
        return super().clean()


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    key = None
    if request.method == "POST" and form.is_valid():
        _token, key = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm(user=request.user)
    listed = ApiToken.objects.filter(user=request.user)
    response = render(request, "api/tokens.html", {"form": form, "tokens": listed, "key": key})
    response["Cache-Control"] = "private, no-store"  # the key is on this answer once
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (another's is a 404)."""
    revoked = ApiToken.objects.filter(pk=pk, user=request.user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked and not ApiToken.objects.filter(pk=pk, user=request.user).exists():
        raise Http404
    return redirect("api:tokens")
