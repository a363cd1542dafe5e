//! in-toto for custody (work in progress).

pub mod hash;
