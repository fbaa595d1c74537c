"""The reminders that read the compliance figures (issue 13), registered with ``meetings.reminders`` from
``ReportsConfig.ready``: a member absent without reason for the strike-off review's number of months (to the
secretary), and the monthly digest to each board (last month's cells that fell short)."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from cells.models import Organization
from cells.periods import previous_month
from cells.templatetags.chibo import vi_name
from meetings.reminders import (
    MORNING,
    Due,
    Kind,
    ReminderKind,
    absolute,
    at_local,
    local_now,
    register,
    secretaries,
)
from members.models import AccessGrant
from reports.absences import member_absences
from reports.findings import failed_reasons, findings_in
from reports.periods import Period, month_label

# The digest of a month goes out from the 1st of the next; not after the 10th (a beat down that long: missed).
DIGEST_LAST_DAY = 10
# How many cells a digest names; the rest are counted, with the link to the dashboard.
DIGEST_NAMED = 50


def _member_of(about: str) -> int | None:
    kind, _sep, pk = about.partition(":")
    return int(pk) if kind == "member" and pk.isdigit() else None


class Absences(ReminderKind):
    """To the secretary of the member's cell, once a year, when a member has been absent without reason in as many
    months of the year as the strike-off review asks (``strike_off_absences``, Quy định 294-QĐ/TW 8.1); until the
    end of January of the next year."""

    kind = Kind.ABSENCES

    def due(self, now):
        here = local_now(now)
        if here.time() < MORNING:
            return
        today = here.date()
        years = [today.year - 1, today.year] if today.month == 1 else [today.year]
        roots = list(Organization.objects.get_root_nodes())
        for year in years:
            flagged = [item for root in roots for item in member_absences(root, year) if item.flagged]
            if not flagged:
                continue
            chiefs = secretaries({item.cell_id for item in flagged}, today)
            cells = Organization.objects.in_bulk({item.cell_id for item in flagged})
            for item in flagged:
                secretary = chiefs.get(item.cell_id)
                if secretary is None or not secretary.email.strip() or secretary.pk == item.member_id:
                    continue
                yield Due(
                    kind=self.kind,
                    member=secretary,
                    email=secretary.email.strip(),
                    organization=cells[item.cell_id],
                    about=f"member:{item.member_id}",
                    period=datetime.date(year, 1, 1),
                    expires_at=at_local(datetime.date(year + 1, 2, 1), datetime.time(0, 0)),
                    context={
                        "cell_name": item.cell_name,
                        "full_name": item.full_name,
                        "year": year,
                        "months": ", ".join(month.strftime("%m/%Y") for month in item.missed),
                        "count": item.months,
                        "required": item.required,
                        "source": item.source.citation or item.source.name,
                        "url": absolute(reverse("members:detail", args=[item.member_id])),
                    },
                )

    def still_due(self, row, now):
        member = _member_of(row.about)
        if member is None or row.organization_id is None:
            return False
        cell = Organization.objects.get(pk=row.organization_id)
        return any(item.member_id == member and item.flagged for item in member_absences(cell, row.period.year))


class Digest(ReminderKind):
    """To each board's staff (a grant on a committee), from the 1st of a month at 07:00 to the 10th: last month's
    cells in their subtree that fell short of a rule, with the reasons and the link to the dashboard. Sent also when
    none fell short (the board learns that it was checked)."""

    kind = Kind.DIGEST

    def due(self, now):
        here = local_now(now)
        today = here.date()
        if here.time() < MORNING or today.day > DIGEST_LAST_DAY:
            return
        month = previous_month(today)
        grants = (
            AccessGrant.objects.active_on(today)
            .filter(user__is_active=True)
            .exclude(user__email="")
            .exclude(organization__kind__in=Organization.CELL_KINDS)
            .select_related("user", "organization")
            .order_by("organization__path", "user__username")
        )
        figures: dict[int, dict] = {}
        expires = at_local(today.replace(day=DIGEST_LAST_DAY) + datetime.timedelta(days=1), datetime.time(0, 0))
        for grant in grants:
            board = grant.organization
            if board.pk not in figures:
                figures[board.pk] = self._figures(board, month)
            user = grant.user
            yield Due(
                kind=self.kind,
                member=None,
                name=vi_name(user),
                email=user.email,
                organization=board,
                about=f"org:{board.pk}",
                period=month,
                expires_at=expires,
                context={"board_name": board.name, "month": month_label(month), **figures[board.pk]},
            )

    @staticmethod
    def _figures(board: Organization, month: datetime.date) -> dict:
        rows = list(
            findings_in(board, [month])
            .select_related("cell")
            .order_by("cell__name")
            .values("cell_id", "cell__name", "all_ok", "regular_held", "rules", *_rule_fields())
        )
        short = [row for row in rows if not row["all_ok"]]
        dashboard = reverse("reports:dashboard", args=[board.pk])
        slug = Period.parse(f"thang-{month:%Y-%m}").slug
        return {
            "judged": len(rows),
            "short_count": len(short),
            "short": [
                {
                    "name": row["cell__name"],
                    "reasons": "; ".join(failed_reasons(row)),
                    "url": absolute(f"{reverse('reports:dashboard', args=[row['cell_id']])}?{urlencode({'ky': slug})}"),
                }
                for row in short[:DIGEST_NAMED]
            ],
            "more": max(0, len(short) - DIGEST_NAMED),
            "url": absolute(f"{dashboard}?{urlencode({'ky': slug})}"),
        }

    def still_due(self, row, now):
        return (
            AccessGrant.objects.active_on(local_now(now).date())
            .filter(organization_id=row.organization_id, user__email__iexact=row.to_email, user__is_active=True)
            .exists()
        )


def _rule_fields() -> tuple[str, ...]:
    from reports.models import CellMonth

    return CellMonth.RULE_FIELDS


register(Absences())
register(Digest())
