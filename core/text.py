def decode_spreadsheet_text(raw: bytes) -> str | None:
    """UTF-8 (with or without BOM) first, then GB18030/GBK as Excel on a Chinese Windows machine
    saves CSV; None when the bytes are neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
