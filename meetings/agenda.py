"""The agenda template: the order of business of a regular monthly meeting (Hướng dẫn 09, 12 and 42-HD/BTCTW)."""

from django.utils.translation import gettext as _


def default_agenda(kind: str, topic: str = "") -> list[tuple[str, str]]:
    """(title, details) for each item, in order."""
    if kind in ("executive", "standing", "conference"):
        return _committee_agenda(kind, topic)
    opening = (
        _("Khai mạc"),
        _(
            "Nêu mục đích, giới thiệu đại biểu; thu đảng phí; điểm danh (có mặt, vắng có lý do, vắng không lý do, "
            "miễn sinh hoạt); thông qua chương trình; cử thư ký."
        ),
    )
    closing = (
        _("Biểu quyết nghị quyết, kết luận; tự đánh giá chất lượng; thông qua biên bản"),
        _("Biểu quyết kết luận hoặc nghị quyết; tự đánh giá chất lượng buổi sinh hoạt; đọc lại và thông qua biên bản."),
    )
    visitor = (
        _("Ý kiến của đồng chí cấp ủy cấp trên (nếu có); thảo luận; chủ trì kết luận từng nội dung"),
        "",
    )
    regular = [
        (
            _("Thông tin thời sự, chủ trương, chính sách mới"),
            _("Thông tin thời sự; văn bản, chỉ đạo của cấp ủy cấp trên."),
        ),
        (
            _("Đánh giá kết quả lãnh đạo, thực hiện nhiệm vụ tháng qua"),
            _("Kết quả thực hiện nhiệm vụ; tình hình tư tưởng của đảng viên và nhân dân."),
        ),
        (_("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"), _("Theo Chỉ thị 05-CT/TW.")),
        (_("Phương hướng, nhiệm vụ tháng tới"), _("Từng nhiệm vụ, phân công đảng viên phụ trách.")),
        (_("Các nội dung khác"), _("Kết nạp, công nhận chính thức, miễn sinh hoạt, chuyển sinh hoạt (nếu có).")),
    ]
    thematic = [
        (
            _("Chuyên đề: {topic}").format(topic=topic) if topic else _("Nội dung chuyên đề"),
            _("Báo cáo đề dẫn chuyên đề; đảng viên thảo luận."),
        )
    ]
    if kind == "thematic":
        body = thematic
    elif kind == "combined":
        body = regular + thematic
    elif kind == "extraordinary":
        body = [(_("Nội dung sinh hoạt bất thường"), "")]
    else:
        body = regular
    return [opening, *body, visitor, closing]


def _committee_agenda(kind: str, topic: str) -> list[tuple[str, str]]:
    """A committee's conference: opened, its business, discussed, concluded and voted; no party dues, no cell
    self-assessment."""
    opening = (
        _("Khai mạc"),
        _("Nêu mục đích, giới thiệu đại biểu; điểm danh; thông qua chương trình; cử thư ký."),
    )
    closing = (
        _("Thảo luận; chủ trì kết luận; biểu quyết nghị quyết, kết luận; thông qua biên bản"),
        "",
    )
    if kind == "conference":
        body = [(_("Nội dung hội nghị: {topic}").format(topic=topic) if topic else _("Nội dung hội nghị"), "")]
    else:
        body = [
            (
                _("Đánh giá kết quả lãnh đạo, thực hiện nhiệm vụ thời gian qua"),
                _("Báo cáo của thường trực; ý kiến của các ủy viên."),
            ),
            (_("Phương hướng, nhiệm vụ thời gian tới"), _("Phân công ủy viên phụ trách.")),
            (_("Các nội dung khác"), _("Công tác cán bộ, đảng viên; kiểm tra, giám sát (nếu có).")),
        ]
        if topic:
            body.insert(0, (topic, ""))
    return [opening, *body, closing]
