"""The compliance page (依法行政考核, issue 10 §4): per unit and year, computed from the record alone by
`services.compliance` — the same figures as `decide compliance` and its CSV, with the targets of seed 001
beside the measured rates."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages import charts
from api.pages.i18n import N_
from api.pages.web import PageRoute, gettext, render, require_reader
from decision_engine.services import compliance
from decision_engine.services.context import Context

RATES = {
    "legality_review_rate": N_("legality review rate of decisions"),
    "legality_review_rate_normative": N_("legality review rate of normative documents"),
    "filing_rate": N_("filing rate of normative documents"),
    "filing_on_time_rate": N_("filed within 15 days"),
    "publication_on_time_rate": N_("published on time"),
    "filing_review_rate": N_("filing review rate"),
}
SHOWN = tuple(k for k in RATES if k != "filing_review_rate")  # the superior's review is not in this record


def router(ctx: Context) -> APIRouter:
    """Routes for /compliance and /compliance.csv."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)

    def _year(request: Request) -> int:
        raw = request.query_params.get("year", "")
        return int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2199 else ctx.today().year

    @r.get("/compliance")
    def page(request: Request) -> Response:
        require_reader(request, ctx)
        year = _year(request)
        report = compliance.metrics(ctx, year)
        svg = charts.bars(gettext(request, "Decisions per unit"),
                          [(unit, m["decisions"]) for unit, m in report["units"].items()])
        return render(request, "compliance.html", report=report, year=year, rates=SHOWN, svg=svg,
                      rate_labels={k: gettext(request, v) for k, v in RATES.items()},
                      years=list(range(ctx.today().year, ctx.today().year - 5, -1)))

    @r.get("/compliance.csv")
    def csv(request: Request) -> Response:
        require_reader(request, ctx)
        year = _year(request)
        return Response(compliance.to_csv(compliance.metrics(ctx, year)), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="compliance-{year}.csv"'})

    return r
