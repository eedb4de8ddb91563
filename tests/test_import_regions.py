import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from core.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; test_chinese_messages checks the default."""
    with translation.override("en"):
        yield


GOOD = """code,name,parent_code,is_urban,longitude,latitude
222404101201,东阿拉村,222404101000,0,130.5,42.9
222404101000,春化镇,222404000000,0,130.6,43.0
222404001000,靖和街道,222404000000,1,,
222404001001,春城社区,222404001000,1,,
"""


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "regions.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_good_file_loads_townships_and_villages_in_any_row_order(tmp_path, capsys):
    # given a file whose village comes before its township
    path = write(tmp_path, GOOD)
    # when it is imported
    call_command("import_regions", str(path))
    # then both levels exist, wired to the right parents
    village = Region.objects.get(code="222404101201")
    assert village.level == "village"
    assert village.parent.code == "222404101000"
    assert village.parent.parent.name == "珲春市"
    assert Region.objects.get(code="222404001001").is_urban is True
    assert "4" in capsys.readouterr().out


def test_reimporting_the_same_file_updates_instead_of_duplicating(tmp_path):
    path = write(tmp_path, GOOD)
    call_command("import_regions", str(path))
    call_command("import_regions", str(write(tmp_path, GOOD.replace("东阿拉村", "东阿拉新村"))))
    assert Region.objects.filter(code__startswith="222404").count() == 1 + 4
    assert Region.objects.get(code="222404101201").name == "东阿拉新村"


def test_gb18030_file_with_chinese_headers(tmp_path):
    text = "代码,名称,上级代码,是否城镇\n222404101000,春化镇,222404000000,否\n"
    call_command("import_regions", str(write(tmp_path, text, "gb18030")))
    assert Region.objects.get(code="222404101000").name == "春化镇"


def test_a_bad_file_changes_nothing_and_reports_every_bad_line(tmp_path, capsys):
    # given a file with one good row and several bad ones
    text = (
        "code,name,parent_code,is_urban\n"
        "222404101000,春化镇,222404000000,0\n"  # line 2: good
        "22240410200,短码,222404000000,0\n"  # line 3: 11 digits
        "222404103000,,222404000000,0\n"  # line 4: no name
        "222404104000,错镇,220184000000,0\n"  # line 5: wrong parent
        "222404105201,孤村,222404105000,0\n"  # line 6: parent does not exist
        "222404101000,重复镇,222404000000,maybe\n"  # line 7: duplicate and bad flag
        "222400000000,延边州,220000000000,0\n"  # line 8: not importable level
    )
    before = Region.objects.count()
    # when it is imported
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_regions", str(write(tmp_path, text)))
    # then no row was written, not even the good one
    assert Region.objects.count() == before
    assert not Region.objects.filter(code="222404101000").exists()
    err = capsys.readouterr().err
    for line, column in [
        (3, "code"),
        (4, "name"),
        (5, "parent_code"),
        (6, "parent_code"),
        (7, "code"),
        (7, "is_urban"),
        (8, "code"),
    ]:
        assert f"line {line}, column {column}" in err, (line, column, err)
    assert "line 2," not in err


def test_missing_required_columns_are_named(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_regions", str(write(tmp_path, "code,name\n222404101000,春化镇\n")))
    err = capsys.readouterr().err
    assert "column parent_code" in err and "column is_urban" in err


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_regions", str(tmp_path / "nope.csv"))


def test_errors_are_in_chinese_by_default(tmp_path, capsys):
    with translation.override("zh-hans"), pytest.raises(CommandError, match="未导入"):
        call_command(
            "import_regions", str(write(tmp_path, "code,name,parent_code,is_urban\n1,x,2,0\n"))
        )
    assert "第 2 行" in capsys.readouterr().err
