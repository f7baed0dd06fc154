"""What the laptop itself gives a room: open files (one a phone) and free disk."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

from voting.doctor.finding import Finding

try:  # POSIX only; the app runs on Linux and macOS
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

#: Below this the server cannot even raise its own limit to a room's need.
MIN_OPEN_FILES = 1024
#: A few hundred phones (one socket each) with room to spare: phones reconnecting while
#: their old socket lingers, the projector and the secretary, the database and its WAL.
ROOM_OPEN_FILES = 4096
#: Descriptors ``voting serve`` keeps back from its connection cap (voting.server).
RESERVED_FILES = 128
MIB = 1024 * 1024
DISK_PROBLEM = 100 * MIB
DISK_WARNING = 1024 * MIB


def _limit(value: int) -> str:
    infinity = resource.RLIM_INFINITY if resource else -1
    return "không giới hạn" if value == infinity or value < 0 else str(value)


def check_open_files(soft: int, hard: int) -> Finding:
    """Each phone holds a socket; ``voting serve`` raises the soft limit to the hard one.

    So the hard limit is what a room gets, less what the server keeps for itself.
    """
    infinity = resource.RLIM_INFINITY if resource else -1
    unlimited = hard == infinity or hard < 0
    values = f"giới hạn mềm {_limit(soft)}, giới hạn cứng {_limit(hard)}"
    phones = (
        "Mỗi điện thoại giữ một kết nối (một tệp mở) suốt cuộc họp; máy chủ giữ lại khoảng "
        f"{RESERVED_FILES} cho cơ sở dữ liệu, nhật ký và tệp xuất, nên chỉ khoảng "
        f"{max(0, hard - RESERVED_FILES)} điện thoại kết nối được cùng lúc"
    )
    user = _user()
    raise_hard = (
        f"Để nâng giới hạn cứng, thêm vào /etc/security/limits.conf hai dòng "
        f"`{user} soft nofile 65536` và `{user} hard nofile 65536` rồi đăng nhập lại "
        "(macOS: `sudo launchctl limit maxfiles 65536 200000`); sau đó `ulimit -n 65536` "
        "trong cửa sổ lệnh trước `voting serve`."
    )
    if not unlimited and hard < MIN_OPEN_FILES:
        return Finding(
            "open_files",
            "problem",
            f"Số tệp mở tối đa: {values}, dưới {MIN_OPEN_FILES}. {phones}: phòng đông sẽ có "
            "điện thoại không vào được. " + raise_hard,
        )
    if not unlimited and hard < ROOM_OPEN_FILES:
        return Finding(
            "open_files",
            "warning",
            f"Số tệp mở tối đa: {values}. {phones}, ít dư cho điện thoại kết nối lại (kết nối "
            "cũ còn treo), máy chiếu và máy của thư ký; nên có ít nhất "
            f"{ROOM_OPEN_FILES}. " + raise_hard,
        )
    raised = (
        f" `voting serve` tự nâng giới hạn mềm lên {_limit(hard)} khi khởi động."
        if soft != hard
        else ""
    )
    return Finding(
        "open_files",
        "ok",
        f"Số tệp mở tối đa: {values}, đủ cho một phòng vài trăm điện thoại.{raised}",
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "tên_người_dùng"


def _size(n: float) -> str:
    if n >= 1024 * MIB:
        return f"{n / (1024 * MIB):.1f} GB".replace(".", ",")
    return f"{n / MIB:.0f} MB"


def check_disk(folder: Path, database_bytes: int = 0) -> Finding:
    """Free space in the instance folder (its nearest existing parent)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    why = (
        "Trong cuộc họp tệp nhật ký ghi trước (WAL) của cơ sở dữ liệu lớn dần theo số phiếu, "
        "`voting backup` chép toàn bộ cơ sở dữ liệu, sau khi đóng phiếu tệp được dựng lại "
        "(cần thêm chỗ bằng chính nó), và biên bản, tệp xuất (PDF, DOCX, XLSX) cũng ghi vào "
        "ổ đĩa."
    )
    fix = "Xoá bớt tệp không cần hoặc chép sang ổ khác trước cuộc họp."
    if free < DISK_PROBLEM:
        return Finding(
            "disk",
            "problem",
            f"Chỉ còn {_size(free)} trống ở {folder} (dưới {_size(DISK_PROBLEM)}): phiếu có "
            f"thể không ghi được. {why} {fix}",
        )
    if free < DISK_WARNING or free < 2 * database_bytes:
        return Finding(
            "disk",
            "warning",
            f"Còn {_size(free)} trống ở {folder} (nên có ít nhất "
            f"{_size(max(DISK_WARNING, 2 * database_bytes))}). {why} {fix}",
        )
    return Finding("disk", "ok", f"Còn {_size(free)} trống ở {folder}.")
