//! UTC timestamps as in-toto and TUF write them (`YYYY-MM-DDTHH:MM:SSZ`), and the clock.
//!
//! One parser for every `expires` field, so that an expiry check means the same thing in
//! layouts and in TUF metadata. Times are Unix seconds (`i64`), which covers every date
//! the format can hold.

/// A timestamp that is not `YYYY-MM-DDTHH:MM:SSZ` or not a real date and time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ")]
pub struct TimestampError(pub String);

/// Parse `YYYY-MM-DDTHH:MM:SSZ` into Unix seconds. Only that form is accepted: no
/// fractions, no offsets, every field zero-padded, and the date must exist (no
/// February 30th).
///
/// # Errors
/// [`TimestampError`] for anything else.
pub fn parse_utc(s: &str) -> Result<i64, TimestampError> {
    let err = || TimestampError(s.to_owned());
    let b = s.as_bytes();
    let shape_ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape_ok {
        return Err(err());
    }
    let field = |r: std::ops::Range<usize>| -> Result<i64, TimestampError> {
        let text = s.get(r).ok_or_else(err)?;
        if !text.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        text.parse().map_err(|_| err())
    };
    let (y, mo, d) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (h, mi, se) = (field(11..13)?, field(14..16)?, field(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59
    {
        return Err(err());
    }
    Ok(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn format_utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The system clock in Unix seconds (0 before 1970, saturating far in the future).
#[must_use]
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_one_form() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_utc("2026-11-25T12:00:00Z"), Ok(1_795_608_000));
        assert_eq!(parse_utc("2000-02-29T23:59:59Z"), Ok(951_868_799));
        for bad in [
            "2026-11-25",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T12:00:00+01:00",
            "2026-11-25T12:00:00.5Z",
            "+026-11-25T12:00:00Z",
            "2026-1-025T12:00:00Z",
            "x",
        ] {
            assert!(parse_utc(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn format_and_parse_round_trip(t in 0i64..253_402_300_799) {
            proptest::prop_assert_eq!(parse_utc(&format_utc(t)), Ok(t));
        }
    }
}

/// A duration that is not a whole number followed by `d`, `h`, `m` or `s`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a duration like 365d, 12h, 30m or 90s")]
pub struct DurationError(pub String);

/// Parse a positive duration such as `365d`, `12h`, `30m` or `90s` into seconds.
///
/// # Errors
/// [`DurationError`] naming the text.
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let bad = || DurationError(text.to_owned());
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    if !text.is_char_boundary(split) {
        return Err(bad());
    }
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit = match unit {
        "d" => 86_400,
        "h" => 3600,
        "m" => 60,
        "s" => 1,
        _ => return Err(bad()),
    };
    n.checked_mul(unit).filter(|s| *s > 0).ok_or_else(bad)
}
