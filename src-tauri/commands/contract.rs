//! The IPC command list (`list.rs`) expanded for the app: the invoke handler `lib.rs` registers,
//! a compile-time check of each entry against its function, and the TypeScript description of
//! the contract (`ui/src/lib/ipc/bindings/commands.ts`) that the UI's client and fake backend
//! are typed against. build.rs reads the same list for the permissions.

// Outside tests, only the handler is used: the descriptions are for the TypeScript export (a
// test), and the checks inside `specs` need only compile.
#![cfg_attr(not(test), allow(dead_code))]

use std::any::TypeId;
use std::collections::BTreeMap;
use std::path::PathBuf;

use ts_rs::{Config, TypeVisitor, TS};

// The types the list names.
#[allow(unused_imports)]
use comptoir_core::{
    carriers::{Carrier, CarrierOption, CustomCarrier},
    fulfilment::{EmailOutcome, TrackingInput},
    invoice_pdf::SavedPdf,
    mail::{SmtpPassword, SmtpSettings},
    model::{
        AccountInfo, AppStatus, OrderDetail, OrderPage, OrderQuery, OutboxEmail, PackMatch,
        PackOrder, PackQueue, PackTick, ProductCodes, Settings, SharingStatus, ShippingRate,
        SubscriptionDetail, SubscriptionPage, SubscriptionQuery, SyncReport,
    },
    refunds::{RefundDone, RefundRequest},
    startup::StartupFailure,
    workspace::{BoxShipments, ImportReport, SmtpSettingsView},
};

#[allow(unused_imports)]
use super::pdfs::PdfCacheStatus;
#[allow(unused_imports)]
use super::printing::PrintedSlip;
#[allow(unused_imports)]
use comptoir_core::model::SlipSettings;

/// One argument the window sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgSpec {
    /// As the window sends it: camelCase (Tauri's default for command arguments).
    pub name: String,
    /// The TypeScript type.
    pub ts: String,
    /// An `Option`: the window may leave it out.
    pub optional: bool,
}

/// One command: its name, its arguments and its result, in TypeScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    pub name: &'static str,
    pub args: Vec<ArgSpec>,
    pub result: String,
    /// The generated binding files the types above come from: TypeScript name → file.
    pub imports: BTreeMap<String, PathBuf>,
}

/// Numbers cross IPC as JSON numbers: an `i64` argument is a `number` on the window's side.
fn ts_config() -> Config {
    Config::from_env().with_large_int("number")
}

/// Collects the exported types a type is written with (`Vec<Carrier>` → `Carrier`), each once.
struct Imports<'a> {
    cfg: &'a Config,
    found: &'a mut BTreeMap<String, PathBuf>,
}

impl TypeVisitor for Imports<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        match T::output_path() {
            Some(path) => {
                self.found.insert(T::ident(self.cfg), path);
            }
            // A wrapper (`Vec`, `Option`): the types it holds, not what they are made of.
            None => T::visit_generics(self),
        }
    }
}

#[doc(hidden)]
pub struct SpecBuilder {
    cfg: Config,
    spec: CommandSpec,
}

impl SpecBuilder {
    pub fn new(name: &'static str) -> Self {
        SpecBuilder {
            cfg: ts_config(),
            spec: CommandSpec {
                name,
                args: Vec::new(),
                result: String::new(),
                imports: BTreeMap::new(),
            },
        }
    }

    fn import<T: TS + 'static + ?Sized>(&mut self) {
        Imports {
            cfg: &self.cfg,
            found: &mut self.spec.imports,
        }
        .visit::<T>();
    }

    pub fn arg<T: TS + 'static>(mut self, name: &str, optional: bool) -> Self {
        self.import::<T>();
        let ts = T::name(&self.cfg);
        self.spec.args.push(ArgSpec {
            name: camel_case(name),
            ts,
            optional,
        });
        self
    }

    pub fn result<T: TS + 'static>(mut self) -> CommandSpec {
        self.spec.result = if TypeId::of::<T>() == TypeId::of::<()>() {
            "void".into()
        } else {
            self.import::<T>();
            T::name(&self.cfg)
        };
        self.spec
    }
}

/// `order_id` → `orderId`, as Tauri names command arguments.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Stands for a value of `T` in the compile-time checks, which are never run.
#[doc(hidden)]
pub fn value<T>() -> T {
    unreachable!("the IPC contract checks are compiled, never run")
}

/// One entry of the list: checks it against its function (a call with values of the listed
/// types, awaited into `CmdResult<result>`, inside a function nothing calls) and describes it.
/// Munches the parameters one at a time: `app`, `ws`, `name: Option<T>`, `name: T`.
macro_rules! ipc_entry {
    (@munch [$($seg:ident)::+] $ret:ty; [$($call:expr,)*] [$($spec:tt)*];) => {{
        #[allow(dead_code, unreachable_code, clippy::diverging_sub_expression)]
        async fn check() -> crate::error::CmdResult<$ret> {
            crate::commands::$($seg)::+($($call,)*).await
        }
        $crate::commands::contract::SpecBuilder::new(last_segment!($($seg)+))
            $($spec)*
            .result::<$ret>()
    }};
    (@munch [$($seg:ident)::+] $ret:ty; [$($call:expr,)*] [$($spec:tt)*]; app $(, $($rest:tt)*)?) => {
        ipc_entry!(@munch [$($seg)::+] $ret;
            [$($call,)* $crate::commands::contract::value::<tauri::AppHandle>(),]
            [$($spec)*]; $($($rest)*)?)
    };
    (@munch [$($seg:ident)::+] $ret:ty; [$($call:expr,)*] [$($spec:tt)*]; ws $(, $($rest:tt)*)?) => {
        ipc_entry!(@munch [$($seg)::+] $ret;
            [$($call,)* $crate::commands::contract::value::<crate::commands::Ws<'static>>(),]
            [$($spec)*]; $($($rest)*)?)
    };
    (@munch [$($seg:ident)::+] $ret:ty; [$($call:expr,)*] [$($spec:tt)*]; $name:ident : Option<$ty:ty> $(, $($rest:tt)*)?) => {
        ipc_entry!(@munch [$($seg)::+] $ret;
            [$($call,)* $crate::commands::contract::value::<Option<$ty>>(),]
            [$($spec)* .arg::<Option<$ty>>(stringify!($name), true)]; $($($rest)*)?)
    };
    (@munch [$($seg:ident)::+] $ret:ty; [$($call:expr,)*] [$($spec:tt)*]; $name:ident : $ty:ty $(, $($rest:tt)*)?) => {
        ipc_entry!(@munch [$($seg)::+] $ret;
            [$($call,)* $crate::commands::contract::value::<$ty>(),]
            [$($spec)* .arg::<$ty>(stringify!($name), false)]; $($($rest)*)?)
    };
}

macro_rules! last_segment {
    ($name:ident) => {
        stringify!($name)
    };
    ($first:ident $($rest:ident)+) => {
        last_segment!($($rest)+)
    };
}

macro_rules! ipc_commands {
    ($( $($seg:ident)::+ ( $($params:tt)* ) -> $ret:ty; )*) => {
        /// Every command of the list, by name, in its order.
        pub const NAMES: &[&str] = &[$( last_segment!($($seg)+) ),*];

        /// The invoke handler holding every command of the list.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$( crate::commands::$($seg)::+ ),*]
        }

        /// Every command described for TypeScript. Its body also holds the compile-time check
        /// of each entry against its function.
        pub fn specs() -> Vec<CommandSpec> {
            vec![$( ipc_entry!(@munch [$($seg)::+] $ret; [] []; $($params)*) ),*]
        }
    };
}

include!("list.rs");

/// `ui/src/lib/ipc/bindings/commands.ts`: the `Commands` type (each command's arguments and
/// result) and the list of names.
pub fn typescript(specs: &[CommandSpec]) -> String {
    let mut imports: BTreeMap<&str, &PathBuf> = BTreeMap::new();
    for spec in specs {
        imports.extend(spec.imports.iter().map(|(n, p)| (n.as_str(), p)));
    }
    let mut ts = String::from(
        "// Generated from src-tauri/commands/list.rs by the export_bindings tests. Do not edit.\n",
    );
    for (name, path) in &imports {
        let module = path.with_extension("");
        ts.push_str(&format!(
            "import type {{ {name} }} from \"./{}\";\n",
            module.display()
        ));
    }
    ts.push_str(
        "\n/** Every IPC command: the arguments the window sends (an optional one may be left out) and what it gets back. */\nexport type Commands = {\n",
    );
    for spec in specs {
        let args: Vec<String> = spec
            .args
            .iter()
            .map(|a| format!("{}{}: {}", a.name, if a.optional { "?" } else { "" }, a.ts))
            .collect();
        let args = if args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            format!("{{ {} }}", args.join(", "))
        };
        ts.push_str(&format!(
            "  {}: {{ args: {args}; result: {} }};\n",
            spec.name, spec.result
        ));
    }
    ts.push_str("};\n\nexport type CommandName = keyof Commands;\n");
    ts.push_str("export type CommandArgs<K extends CommandName> = Commands[K]['args'];\n");
    ts.push_str("export type CommandResult<K extends CommandName> = Commands[K]['result'];\n\n");
    ts.push_str("/** The commands, in the list's order. */\nexport const COMMAND_NAMES = [\n");
    for spec in specs {
        ts.push_str(&format!("  '{}',\n", spec.name));
    }
    ts.push_str("] as const satisfies readonly CommandName[];\n");
    ts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `commands.ts` beside ts-rs's bindings (`TS_RS_EXPORT_DIR`); `scripts/test.sh`'s
    /// bindings step then compares it with git, like the other generated files.
    #[test]
    fn export_bindings_commands() {
        let dir = ts_config().out_dir().to_owned();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("commands.ts"), typescript(&specs())).unwrap();
    }

    #[test]
    fn every_command_is_described_once_with_tauri_argument_names() {
        let specs = specs();
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        assert_eq!(names, NAMES);
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a command is listed twice");

        let print = specs
            .iter()
            .find(|s| s.name == "print_packing_slip")
            .unwrap();
        assert_eq!(
            print.args,
            vec![
                ArgSpec {
                    name: "orderId".into(),
                    ts: "string".into(),
                    optional: false
                },
                ArgSpec {
                    name: "lang".into(),
                    ts: "string".into(),
                    optional: false
                },
                ArgSpec {
                    name: "confirmUnpaid".into(),
                    ts: "boolean | null".into(),
                    optional: true
                },
            ]
        );
        assert_eq!(print.result, "PrintedSlip");
        let retry = specs.iter().find(|s| s.name == "retry_email").unwrap();
        assert_eq!(retry.args[0].ts, "number", "an i64 id is a JSON number");
        let rates = specs
            .iter()
            .find(|s| s.name == "list_shipping_rates")
            .unwrap();
        assert_eq!(rates.result, "Array<ShippingRate>");
        assert!(rates.imports.contains_key("ShippingRate"));
        let disconnect = specs
            .iter()
            .find(|s| s.name == "disconnect_stripe")
            .unwrap();
        assert_eq!(disconnect.result, "void");
        assert!(disconnect.args.is_empty());
    }

    #[test]
    fn camel_case_follows_tauri() {
        assert_eq!(camel_case("order_id"), "orderId");
        assert_eq!(camel_case("confirm_unpaid"), "confirmUnpaid");
        assert_eq!(camel_case("id"), "id");
    }

    /// The window's capability grants the permission set build.rs made from the list, and that
    /// set holds exactly `allow-<name>` for each command: read back from what tauri-build
    /// resolved (its ACL files in `OUT_DIR`).
    #[test]
    fn the_window_may_call_exactly_the_listed_commands() {
        let out = std::path::Path::new(env!("OUT_DIR"));
        let acl: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("acl-manifests.json")).unwrap())
                .unwrap();
        let set = &acl["__app-acl__"]["permission_sets"]["ipc-commands"]["permissions"];
        let granted: Vec<String> = set
            .as_array()
            .unwrap_or_else(|| panic!("tauri-build knows no set ipc-commands: {set}"))
            .iter()
            .map(|p| {
                let p = p.as_str().unwrap();
                p.strip_prefix("allow-")
                    .unwrap_or_else(|| panic!("not an allow- permission: {p}"))
                    .replace('-', "_")
            })
            .collect();
        assert_eq!(granted, NAMES);
        let capability: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src-tauri/capabilities/default.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let permissions = capability["permissions"].as_array().unwrap();
        assert!(permissions.contains(&"ipc-commands".into()));
        assert!(
            !permissions
                .iter()
                .any(|p| p.as_str().is_some_and(|p| p.starts_with("allow-"))),
            "the capability names no command of its own: {permissions:?}"
        );
    }
}
