//! CVSS v4.0 base scores from vectors (FIRST, CVSS v4.0 specification, section 8).
//!
//! v4.0 has no formula over weights: a vector falls into one of 270 MacroVectors (six
//! equivalence sets, EQ1-EQ6, of metric combinations), each with a score from a published
//! table (`data/cvss4-macrovectors.tsv`). The vector's score is its MacroVector's, lowered
//! by how far, on average over the equivalence sets, the vector lies below the most severe
//! vectors of its MacroVector, scaled by the score step to the next lower MacroVector.
//! Threat (`E`) and environmental metrics (`CR`/`IR`/`AR`, `M…`) take part when present;
//! supplemental metrics do not.

use std::collections::HashMap;
use std::sync::LazyLock;

static LOOKUP: LazyLock<HashMap<[u8; 6], f64>> = LazyLock::new(|| {
    include_str!("../data/cvss4-macrovectors.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (macro_vector, score) = l.split_once('\t')?;
            let digits: Vec<u8> = macro_vector.bytes().map(|b| b.wrapping_sub(b'0')).collect();
            let key: [u8; 6] = digits.try_into().ok()?;
            Some((key, score.trim().parse().ok()?))
        })
        .collect()
});

/// The metrics a vector may carry, with their allowed values. The first eleven are the
/// mandatory base metrics.
const METRICS: &[(&str, &str)] = &[
    ("AV", "NALP"),
    ("AC", "LH"),
    ("AT", "NP"),
    ("PR", "NLH"),
    ("UI", "NPA"),
    ("VC", "HLN"),
    ("VI", "HLN"),
    ("VA", "HLN"),
    ("SC", "HLN"),
    ("SI", "HLN"),
    ("SA", "HLN"),
    ("E", "XAPU"),
    ("CR", "XHML"),
    ("IR", "XHML"),
    ("AR", "XHML"),
    ("MAV", "XNALP"),
    ("MAC", "XLH"),
    ("MAT", "XNP"),
    ("MPR", "XNLH"),
    ("MUI", "XNPA"),
    ("MVC", "XHLN"),
    ("MVI", "XHLN"),
    ("MVA", "XHLN"),
    ("MSC", "XHLN"),
    ("MSI", "XSHLN"),
    ("MSA", "XSHLN"),
    ("S", "XNP"),
    ("AU", "XNY"),
    ("R", "XAUI"),
    ("V", "XDC"),
    ("RE", "XLMH"),
    ("U", ""), // X, Clear, Green, Amber, Red: checked by name
];

const BASE_METRICS: usize = 11;

/// A parsed vector: the value of each metric given.
struct Vector(HashMap<&'static str, String>);

impl Vector {
    fn parse(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix("CVSS:4.0/")?;
        let mut values = HashMap::new();
        for part in rest.split('/') {
            let (name, value) = part.split_once(':')?;
            let &(metric, allowed) = METRICS.iter().find(|(m, _)| *m == name)?;
            let valid = if metric == "U" {
                ["X", "Clear", "Green", "Amber", "Red"].contains(&value)
            } else {
                value.len() == 1 && allowed.contains(value)
            };
            if !valid || values.insert(metric, value.to_owned()).is_some() {
                return None; // unknown value, or a metric given twice
            }
        }
        if METRICS[..BASE_METRICS]
            .iter()
            .any(|(m, _)| !values.contains_key(m))
        {
            return None;
        }
        Some(Self(values))
    }

    fn given(&self, metric: &str) -> char {
        self.0
            .get(metric)
            .and_then(|v| v.chars().next())
            .unwrap_or('X')
    }

    /// The value that counts: a modified metric over the base one, and the worst case
    /// for threat and security requirements that are not given.
    fn effective(&self, metric: &str) -> char {
        match (metric, self.given(metric)) {
            ("E", 'X') => 'A',
            ("CR" | "IR" | "AR", 'X') => 'H',
            ("E" | "CR" | "IR" | "AR" | "MSI" | "MSA", v) => v,
            _ => match self.given(&format!("M{metric}")) {
                'X' => self.given(metric),
                modified => modified,
            },
        }
    }
}

/// Severity of a metric value in steps from the most severe (0), as the specification's
/// distances count them; `None` for a value the metric does not take.
fn level(metric: &str, value: char) -> Option<i32> {
    let order = match metric {
        "AV" => "NALP",
        "PR" => "NLH",
        "UI" => "NPA",
        "AC" => "LH",
        "AT" => "NP",
        "VC" | "VI" | "VA" => "HLN",
        // Subsequent-system confidentiality has no Safety value; its scale starts one step
        // below, as the specification's table has it.
        "SC" => "_HLN",
        "SI" | "SA" => "SHLN",
        "CR" | "IR" | "AR" => "HML",
        _ => return None,
    };
    order
        .find(value)
        .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
}

/// EQ1 to EQ6 of a vector.
fn macro_vector(v: &Vector) -> [u8; 6] {
    let e = |m: &str| v.effective(m);
    let eq1 = if e("AV") == 'N' && e("PR") == 'N' && e("UI") == 'N' {
        0
    } else if (e("AV") == 'N' || e("PR") == 'N' || e("UI") == 'N') && e("AV") != 'P' {
        1
    } else {
        2
    };
    let eq2 = if e("AC") == 'L' && e("AT") == 'N' {
        0
    } else {
        1
    };
    let eq3 = if e("VC") == 'H' && e("VI") == 'H' {
        0
    } else if e("VC") == 'H' || e("VI") == 'H' || e("VA") == 'H' {
        1
    } else {
        2
    };
    let eq4 = if e("MSI") == 'S' || e("MSA") == 'S' {
        0
    } else if e("SC") == 'H' || e("SI") == 'H' || e("SA") == 'H' {
        1
    } else {
        2
    };
    let eq5 = match e("E") {
        'P' => 1,
        'U' => 2,
        _ => 0,
    };
    let eq6 = if (e("CR") == 'H' && e("VC") == 'H')
        || (e("IR") == 'H' && e("VI") == 'H')
        || (e("AR") == 'H' && e("VA") == 'H')
    {
        0
    } else {
        1
    };
    [eq1, eq2, eq3, eq4, eq5, eq6]
}

type Maxes = &'static [&'static [(&'static str, char)]];

/// The most severe vectors of each level of EQ1.
fn eq1_maxes(level: u8) -> Maxes {
    match level {
        0 => &[&[("AV", 'N'), ("PR", 'N'), ("UI", 'N')]],
        1 => &[
            &[("AV", 'A'), ("PR", 'N'), ("UI", 'N')],
            &[("AV", 'N'), ("PR", 'L'), ("UI", 'N')],
            &[("AV", 'N'), ("PR", 'N'), ("UI", 'P')],
        ],
        _ => &[
            &[("AV", 'P'), ("PR", 'N'), ("UI", 'N')],
            &[("AV", 'A'), ("PR", 'L'), ("UI", 'P')],
        ],
    }
}

fn eq2_maxes(level: u8) -> Maxes {
    match level {
        0 => &[&[("AC", 'L'), ("AT", 'N')]],
        _ => &[&[("AC", 'H'), ("AT", 'N')], &[("AC", 'L'), ("AT", 'P')]],
    }
}

/// EQ3 and EQ6 are scored together.
fn eq3_eq6_maxes(eq3: u8, eq6: u8) -> Maxes {
    macro_rules! row {
        ($vc:literal, $vi:literal, $va:literal, $cr:literal, $ir:literal, $ar:literal) => {
            &[
                ("VC", $vc),
                ("VI", $vi),
                ("VA", $va),
                ("CR", $cr),
                ("IR", $ir),
                ("AR", $ar),
            ]
        };
    }
    match (eq3, eq6) {
        (0, 0) => &[row!('H', 'H', 'H', 'H', 'H', 'H')],
        (0, _) => &[
            row!('H', 'H', 'L', 'M', 'M', 'H'),
            row!('H', 'H', 'H', 'M', 'M', 'M'),
        ],
        (1, 0) => &[
            row!('L', 'H', 'H', 'H', 'H', 'H'),
            row!('H', 'L', 'H', 'H', 'H', 'H'),
        ],
        (1, _) => &[
            row!('L', 'H', 'L', 'H', 'M', 'H'),
            row!('L', 'H', 'H', 'H', 'M', 'M'),
            row!('H', 'L', 'H', 'M', 'H', 'M'),
            row!('H', 'L', 'L', 'M', 'H', 'H'),
            row!('L', 'L', 'H', 'H', 'H', 'M'),
        ],
        _ => &[row!('L', 'L', 'L', 'H', 'H', 'H')],
    }
}

fn eq4_maxes(level: u8) -> Maxes {
    match level {
        0 => &[&[("SC", 'H'), ("SI", 'S'), ("SA", 'S')]],
        1 => &[&[("SC", 'H'), ("SI", 'H'), ("SA", 'H')]],
        _ => &[&[("SC", 'L'), ("SI", 'L'), ("SA", 'L')]],
    }
}

/// The depth of each MacroVector level in severity steps.
fn depth(eq: usize, level: u8, eq6: u8) -> i32 {
    match (eq, level) {
        (1, 0) | (2, 0) => 1,
        (1, 1) => 4,
        (1, _) => 5,
        (2, _) => 2,
        (3, 0) => {
            if eq6 == 0 {
                7
            } else {
                6
            }
        }
        (3, 1) => 8,
        (3, _) => 10,
        (4, 0) => 6,
        (4, 1) => 5,
        (4, _) => 4,
        _ => 1,
    }
}

/// Round half up to one decimal, past floating-point noise (`8.6 - 7.15`).
fn round1(x: f64) -> f64 {
    ((x + 1e-6) * 10.0).round() / 10.0
}

/// The CVSS v4.0 score of a vector (`CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/…`); `None`
/// when it is not a valid v4.0 vector.
#[must_use]
pub fn v4_score(vector: &str) -> Option<f64> {
    let v = Vector::parse(vector)?;
    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|m| v.effective(m) == 'N')
    {
        return Some(0.0);
    }
    let mv = macro_vector(&v);
    let score = *LOOKUP.get(&mv)?;
    let [eq1, eq2, eq3, eq4, _, eq6] = mv;
    let lower = |change: &[(usize, u8)]| {
        let mut next = mv;
        for &(i, by) in change {
            next[i] += by;
        }
        LOOKUP.get(&next).copied()
    };
    let lower_eq1 = lower(&[(0, 1)]);
    let lower_eq2 = lower(&[(1, 1)]);
    let lower_eq3eq6 = match (eq3, eq6) {
        (1, 1) | (0, 1) => lower(&[(2, 1)]),
        (1, 0) => lower(&[(5, 1)]),
        (0, 0) => match (lower(&[(5, 1)]), lower(&[(2, 1)])) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
        _ => lower(&[(2, 1), (5, 1)]),
    };
    let lower_eq4 = lower(&[(3, 1)]);
    let lower_eq5 = lower(&[(4, 1)]);

    // The first most severe vector of the MacroVector that the vector does not exceed
    // in any metric; the distances from it, per metric, in severity steps.
    let metrics = [
        "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR",
    ];
    let own: Vec<i32> = metrics
        .iter()
        .map(|m| level(m, v.effective(m)))
        .collect::<Option<Vec<_>>>()?;
    let mut distances: Option<Vec<i32>> = None;
    let mut last_tried = vec![0; metrics.len()];
    'search: for a in eq1_maxes(eq1) {
        for b in eq2_maxes(eq2) {
            for c in eq3_eq6_maxes(eq3, eq6) {
                for d in eq4_maxes(eq4) {
                    let max: HashMap<&str, char> =
                        a.iter().chain(*b).chain(*c).chain(*d).copied().collect();
                    let mut ds = Vec::with_capacity(metrics.len());
                    for (m, own_level) in metrics.iter().zip(&own) {
                        let max_level = level(m, *max.get(m)?)?;
                        ds.push(own_level - max_level);
                    }
                    if ds.iter().all(|d| *d >= 0) {
                        distances = Some(ds);
                        break 'search;
                    }
                    last_tried = ds;
                }
            }
        }
    }
    // When no most severe vector is at or above this one in every metric, the
    // specification's reference calculator measures from the last one it tried.
    let ds = distances.unwrap_or(last_tried);
    let sum = |idx: &[usize]| idx.iter().map(|&i| ds[i]).sum::<i32>();
    let parts = [
        (lower_eq1, sum(&[0, 1, 2]), depth(1, eq1, eq6)),
        (lower_eq2, sum(&[3, 4]), depth(2, eq2, eq6)),
        (
            lower_eq3eq6,
            sum(&[5, 6, 7, 11, 12, 13]),
            depth(3, eq3, eq6),
        ),
        (lower_eq4, sum(&[8, 9, 10]), depth(4, eq4, eq6)),
        // EQ5's proportion is always zero, but a lower MacroVector still counts.
        (lower_eq5, 0, 1),
    ];
    let mut existing = 0;
    let mut total = 0.0;
    for (lower_score, distance, steps) in parts {
        if let Some(l) = lower_score {
            existing += 1;
            total += (score - l) * f64::from(distance) / f64::from(steps);
        }
    }
    let mean = if existing == 0 {
        0.0
    } else {
        total / f64::from(existing)
    };
    Some(round1((score - mean).clamp(0.0, 10.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_complete() {
        assert_eq!(LOOKUP.len(), 270);
    }

    #[test]
    fn known_scores() {
        // Scores as the reference calculator (Red Hat's `cvss` 3.6) gives them.
        for (vector, want) in [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
                8.2,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
                8.1,
            ),
            (
                "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L",
                1.0,
            ),
            (
                "CVSS:4.0/AV:A/AC:H/AT:N/PR:L/UI:P/VC:L/VI:H/VA:N/SC:H/SI:N/SA:L/E:P/CR:M/IR:L/AR:H/MAV:N/MSI:S",
                6.4,
            ),
        ] {
            assert_eq!(v4_score(vector), Some(want), "{vector}");
        }
    }

    #[test]
    fn invalid_vectors_have_no_score() {
        for bad in [
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:Q",
            "CVSS:4.0/AV:N/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/ZZ:1",
            "",
        ] {
            assert_eq!(v4_score(bad), None, "{bad}");
        }
    }
}
