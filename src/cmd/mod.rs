//! One module per subcommand family, and `common`: what they share.

pub(crate) mod assess;
pub(crate) mod catalog;
pub(crate) mod collect;
pub(crate) mod common;
pub(crate) mod evidence;
pub(crate) mod gate;
pub(crate) mod report;
