//! What every lockfile reader does once its packages are read: spread scopes from the
//! direct dependencies through the graph, and settle the components into one per purl
//! with every edge pointing at a component of the project.

use crate::component::{Component, Scope};
use crate::purl::Purl;
use std::collections::{BTreeMap, BTreeSet};

/// The scope of each node, spreading each seed scope along `edges` strongest first, so a
/// node reached several ways keeps the strongest. Unreached nodes are `None`. Iterative:
/// hostile graphs cannot exhaust the stack.
pub(crate) fn spread_scopes(
    edges: &[Vec<usize>],
    seeds: BTreeMap<Scope, Vec<usize>>,
) -> Vec<Option<Scope>> {
    let weighted: Vec<Vec<(usize, Scope)>> = edges
        .iter()
        .map(|e| e.iter().map(|&j| (j, Scope::Runtime)).collect())
        .collect();
    let seeds = seeds
        .into_iter()
        .flat_map(|(s, nodes)| nodes.into_iter().map(move |i| (i, s)))
        .collect();
    spread_scopes_along(&weighted, seeds)
}

/// As [`spread_scopes`], with edges that weaken what passes along them: a node reached
/// from a runtime one through an optional edge is optional (the weaker of the two). Each
/// node's scope only ever gets stronger, at most three times, so the work is bounded.
pub(crate) fn spread_scopes_along(
    edges: &[Vec<(usize, Scope)>],
    seeds: Vec<(usize, Scope)>,
) -> Vec<Option<Scope>> {
    let mut scope: Vec<Option<Scope>> = vec![None; edges.len()];
    let mut stack = seeds;
    while let Some((i, s)) = stack.pop() {
        match scope.get(i) {
            Some(Some(current)) if *current <= s => continue,
            None => continue,
            _ => {}
        }
        scope[i] = Some(s);
        for &(j, via) in &edges[i] {
            let t = s.max(via);
            if scope.get(j).is_some_and(|c| c.is_none_or(|c| c > t)) {
                stack.push((j, t));
            }
        }
    }
    scope
}

/// Components sorted by purl, one per purl (a package listed twice keeps the strongest
/// scope, every hash, license and edge), edges only to components of the project and
/// never to the component itself.
pub(crate) fn settle(mut components: Vec<Component>) -> Vec<Component> {
    components.sort_by(|a, b| a.purl.cmp(&b.purl));
    components.dedup_by(|later, kept| {
        if later.purl != kept.purl {
            return false;
        }
        kept.scope = kept.scope.min(later.scope);
        kept.direct |= later.direct;
        kept.first_party |= later.first_party;
        for h in later.hashes.drain(..) {
            if !kept.hashes.contains(&h) {
                kept.hashes.push(h);
            }
        }
        for l in later.licenses.drain(..) {
            if !kept.licenses.contains(&l) {
                kept.licenses.push(l);
            }
        }
        kept.dependencies.append(&mut later.dependencies);
        true
    });
    let present: BTreeSet<Purl> = components.iter().map(|c| c.purl.clone()).collect();
    for c in &mut components {
        let own = c.purl.clone();
        c.dependencies.retain(|d| present.contains(d) && *d != own);
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{Ecosystem, Source};

    fn c(name: &str, scope: Scope, deps: &[&str]) -> Component {
        let purl = |n: &str| Purl::new("pypi", None, n, Some("1"), &BTreeMap::new());
        Component {
            ecosystem: Ecosystem::PyPI,
            name: name.into(),
            version: "1".into(),
            purl: purl(name),
            scope,
            direct: false,
            first_party: false,
            source: Source::Unknown,
            hashes: vec![],
            licenses: vec![],
            dependencies: deps.iter().map(|d| purl(d)).collect(),
        }
    }

    #[test]
    fn strongest_scope_wins_and_cycles_end() {
        let edges = vec![vec![1], vec![2], vec![1], vec![2]];
        let seeds = BTreeMap::from([(Scope::Dev, vec![3]), (Scope::Runtime, vec![0])]);
        let s = spread_scopes(&edges, seeds);
        assert_eq!(
            s,
            vec![
                Some(Scope::Runtime),
                Some(Scope::Runtime),
                Some(Scope::Runtime),
                Some(Scope::Dev)
            ]
        );
        assert_eq!(spread_scopes(&edges, BTreeMap::new()), vec![None; 4]);
    }

    #[test]
    fn optional_edges_weaken_and_a_stronger_path_wins_later() {
        // 0 -optional-> 1 -> 2; 3 (dev) -> 2; then 4 -runtime-> 2 found last.
        let edges = vec![
            vec![(1, Scope::Optional)],
            vec![(2, Scope::Runtime)],
            vec![],
            vec![(2, Scope::Runtime)],
            vec![(2, Scope::Runtime)],
        ];
        let s = spread_scopes_along(
            &edges,
            vec![
                (4, Scope::Runtime),
                (3, Scope::Dev),
                (0, Scope::Runtime),
                (9, Scope::Runtime),
            ],
        );
        assert_eq!(
            s,
            vec![
                Some(Scope::Runtime),
                Some(Scope::Optional),
                Some(Scope::Runtime),
                Some(Scope::Dev),
                Some(Scope::Runtime)
            ]
        );
    }

    #[test]
    fn duplicates_merge_and_dangling_edges_go() {
        let out = settle(vec![
            c("b", Scope::Dev, &["a", "zz"]),
            c("a", Scope::Dev, &["a"]),
            c("b", Scope::Runtime, &[]),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].name, "a");
        assert!(out[0].dependencies.is_empty(), "no edge to itself");
        assert_eq!(out[1].scope, Scope::Runtime);
        let deps: Vec<&str> = out[1].dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(deps, vec!["pkg:pypi/a@1"]);
    }
}
