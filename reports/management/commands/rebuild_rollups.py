"""``manage.py rebuild_rollups [--organization CODE]``: the dashboards' sums computed again from the stored findings."""

from django.core.management.base import BaseCommand, CommandError

from cells.models import Organization
from reports import rollups


class Command(BaseCommand):
    help = "Tính lại các số tổng hợp của bảng theo dõi từ kết quả đã lưu (cả cây, hoặc một tổ chức và cấp dưới)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", metavar="CODE", help="mã tổ chức (mặc định: cả cây)")

    def handle(self, *args, organization=None, **options):
        root = None
        if organization:
            root = Organization.objects.filter(code=organization).first()
            if root is None:
                raise CommandError(f"Không có tổ chức mã {organization}.")
        written = rollups.rebuild(root)
        self.stdout.write(f"Đã tính lại {written} dòng tổng hợp.")
