//! `Verified<T>`: a value whose signatures met a threshold of authorised keys.
//!
//! The constructor is crate-private and only [`crate::threshold::verify_threshold`] calls
//! it, so holding a `Verified<T>` is proof that verification ran and succeeded. Code
//! downstream takes `Verified<T>` as an argument instead of trusting a boolean.
//!
//! Code outside this crate cannot make one:
//!
//! ```compile_fail
//! let forged = custody_crypto::Verified::new("payload", Default::default());
//! ```
//!
//! ```compile_fail
//! let forged = custody_crypto::Verified { value: "payload", signers: Default::default() };
//! ```

use crate::keys::KeyId;
use std::collections::BTreeSet;

/// A value that passed signature verification, with the keys that vouched for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<T> {
    value: T,
    signers: BTreeSet<KeyId>,
}

impl<T> Verified<T> {
    pub(crate) fn new(value: T, signers: BTreeSet<KeyId>) -> Self {
        Self { value, signers }
    }

    /// The verified value.
    #[must_use]
    pub fn get(&self) -> &T {
        &self.value
    }

    /// Take the value out. The result is no longer marked as verified.
    #[must_use]
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Distinct authorised key IDs whose signatures verified.
    #[must_use]
    pub fn signers(&self) -> &BTreeSet<KeyId> {
        &self.signers
    }

    /// Derive a value from the verified one (e.g. parse verified bytes into a document).
    /// The result stays verified: it was computed from verified data only.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Verified<U> {
        Verified {
            value: f(self.value),
            signers: self.signers,
        }
    }

    /// As [`Verified::map`], for derivations that can fail (parsing).
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Verified<U>, E> {
        Ok(Verified {
            value: f(self.value)?,
            signers: self.signers,
        })
    }
}

impl<T> std::ops::Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}
