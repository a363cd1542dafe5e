//! Path patterns shared by the policy's ref rules and CODEOWNERS: `/`-separated
//! components where `*` and `?` match within one component and `**` matches any number
//! of components. One matcher, so that both mean the same thing.

/// Whether pattern components match path components exactly; `**` matches any number of
/// components. Dynamic programming over (pattern, path) positions, so that patterns with
/// many `**` stay linear in their size instead of exploding.
pub(crate) fn match_parts(pattern: &[String], comps: &[&str]) -> bool {
    let (p, c) = (pattern.len(), comps.len());
    // ok[i][j]: pattern[i..] matches comps[j..].
    let mut ok = vec![vec![false; c + 1]; p + 1];
    ok[p][c] = true;
    for i in (0..p).rev() {
        for j in (0..=c).rev() {
            ok[i][j] = if pattern[i] == "**" {
                ok[i + 1][j] || (j < c && ok[i][j + 1])
            } else {
                j < c && glob(&pattern[i], comps[j]) && ok[i + 1][j + 1]
            };
        }
    }
    ok[0][0]
}

/// `*` (any run within a component) and `?` (one character).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        let p: Vec<String> = pattern.split('/').map(str::to_owned).collect();
        let c: Vec<&str> = path.split('/').collect();
        match_parts(&p, &c)
    }

    #[test]
    fn double_star_spans_any_number_of_components() {
        assert!(matches("a/**/z", "a/z"));
        assert!(matches("a/**/z", "a/b/c/z"));
        assert!(!matches("a/**/z", "a/b/c/y"));
        assert!(matches("**/**/**/c", "x/c"));
        assert!(!matches("**/**/**/c", "x/y"));
        // Many stars in a row and a long path: decided without backtracking blow-up.
        let pattern = vec!["**"; 64].join("/") + "/c";
        let path = vec!["x"; 64].join("/");
        assert!(!matches(&pattern, &path));
    }

    #[test]
    fn glob_stays_within_a_component() {
        assert!(glob("*.rs", "lib.rs"));
        assert!(glob("v?.*", "v1.2"));
        assert!(!glob("v?", "v10"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(glob(&"*".repeat(40), &"a".repeat(40)));
    }
}
