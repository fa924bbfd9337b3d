def test_timeline_json_has_22_weeks(cli):
    doc = cli("timeline", "-f", "json", "--as-of", "2023-10-20").json()
    assert len(doc["weeks"]) == 22
    assert doc["current_week"] == 16


def test_unknown_district_is_one_error_line(cli):
    r = cli("mentors", "set", "Mae Chia", "--name", "x", code=1)
    assert r.stderr.startswith("Error: unknown district 'Mae Chia'; did you mean 'Mae Chai'?")
