//! One module per subcommand.

pub(crate) mod assess;
pub(crate) mod catalog;
pub(crate) mod collect;
pub(crate) mod evidence;
pub(crate) mod gate;
pub(crate) mod report;
