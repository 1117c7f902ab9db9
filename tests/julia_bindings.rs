//! The Julia package's low-level layer (bindings/julia/Mist.jl/src/capi.jl) against the C header
//! include/mist.h, without Julia: every exported function wrapped by exactly one
//! `name(args) = @ccall libmist().name(arg::Type, ...)::Type` with the C argument names and the
//! Julia types of a fixed type map, the MistMatrix and MistOptions fields in order, and every enum
//! value. The check is tested too: it must catch a changed argument type, a dropped argument, a
//! renamed symbol and two swapped struct fields in a copy of capi.jl.

use std::fs;
use std::path::Path;

/// The header, relative to the crate root.
const HEADER: &str = "include/mist.h";
/// The Julia low-level layer, relative to the crate root.
const JULIA_CAPI: &str = "bindings/julia/Mist.jl/src/capi.jl";

/// C scalar types and their Julia names; pointers wrap them in `Ptr{...}`, `struct X` is `X` and
/// `enum X` is `Cint`.
const SCALARS: [(&str, &str); 8] = [
    ("size_t", "Csize_t"),
    ("double", "Cdouble"),
    ("char", "Cchar"),
    ("int", "Cint"),
    ("int32_t", "Int32"),
    ("uint64_t", "UInt64"),
    ("bool", "Bool"),
    ("void", "Cvoid"),
];

/// A function: its name, return type and (name, type) arguments, in C or in Julia spelling.
#[derive(Debug)]
struct Signature {
    name: String,
    ret: String,
    args: Vec<(String, String)>,
}

/// A struct: its name and (name, type) fields in order.
#[derive(Debug)]
struct Record {
    name: String,
    fields: Vec<(String, String)>,
}

/// The declarations of include/mist.h that the Julia layer mirrors.
struct Header {
    functions: Vec<Signature>,
    structs: Vec<Record>,
    constants: Vec<(String, i64)>,
}

/// A `@ccall` of capi.jl with the wrapper `name(args) = @ccall ...` around it.
struct Ccall {
    /// The name of the wrapper function and its parameters.
    wrapper: (String, Vec<String>),
    /// The library expression before `.symbol`.
    library: String,
    /// Symbol, return type and arguments of the call.
    call: Signature,
}

/// The declarations of capi.jl, and what could not be read in it.
struct JuliaLayer {
    ccalls: Vec<Ccall>,
    structs: Vec<Record>,
    constants: Vec<(String, i64)>,
    unreadable: Vec<String>,
}

/// What a successful check compared.
#[derive(Debug)]
struct Summary {
    functions: usize,
    arguments: usize,
    structs: usize,
    fields: usize,
    constants: usize,
}

/// The text of `file` under the crate root.
fn read(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `text` without its `/* */` and `//` comments (each block comment becomes a space).
fn strip_c_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        match (rest.find("/*"), rest.find("//")) {
            (Some(block), Some(line)) if line < block => {
                out.push_str(&rest[..line]);
                rest = rest[line..].find('\n').map_or("", |end| &rest[line + end..]);
            }
            (Some(block), _) => {
                out.push_str(&rest[..block]);
                out.push(' ');
                rest = rest[block + 2..].split_once("*/").map_or("", |(_, after)| after);
            }
            (None, Some(line)) => {
                out.push_str(&rest[..line]);
                rest = rest[line..].find('\n').map_or("", |end| &rest[line + end..]);
            }
            (None, None) => break,
        }
    }
    out.push_str(rest);
    out
}

/// `text` without Julia comments (`#`, `#= =#`) and triple-quoted strings (docstrings); ordinary
/// string literals are kept whole, so that a `#` inside one is not taken for a comment.
fn strip_julia_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("\"\"\"") {
            rest = after.split_once("\"\"\"").map_or("", |(_, after)| after);
        } else if c == '"' {
            let bytes = rest.as_bytes();
            let mut end = 1;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = (end + 1).min(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix("#=") {
            rest = after.split_once("=#").map_or("", |(_, after)| after);
        } else if c == '#' {
            rest = rest.find('\n').map_or("", |end| &rest[end..]);
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The leading identifier of `text` (after leading whitespace).
fn identifier(text: &str) -> &str {
    let text = text.trim_start();
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The index of the bracket closing the one that `text` starts with, counting `()`, `{}`, `[]`.
fn matching_close(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` split at the commas outside brackets, each part trimmed, empty parts (a trailing comma)
/// left out.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim().to_string());
    parts.retain(|part| !part.is_empty());
    parts
}

/// A C declaration `type name` split into the name and the type in one spelling: tokens joined
/// by single spaces, `*` as a token of its own (`const struct MistMatrix *`).
fn c_declaration(text: &str) -> Option<(String, String)> {
    let spaced = text.replace('*', " * ");
    let mut tokens: Vec<&str> = spaced.split_whitespace().collect();
    let name = tokens.pop()?;
    if tokens.is_empty() || identifier(name) != name {
        return None;
    }
    Some((name.to_string(), tokens.join(" ")))
}

/// The Julia types the fixed type map accepts for a C type; `None` for a C type outside it.
fn julia_types(c_type: &str) -> Option<Vec<String>> {
    let tokens: Vec<&str> = c_type.split_whitespace().collect();
    let depth = tokens.iter().filter(|t| **t == "*").count();
    let base: Vec<&str> = tokens.iter().copied().filter(|t| !matches!(*t, "*" | "const")).collect();
    let mut julia = match base.as_slice() {
        ["struct", name] => name.to_string(),
        ["enum", _] => "Cint".to_string(),
        [scalar] => SCALARS.iter().find(|(c, _)| c == scalar)?.1.to_string(),
        _ => return None,
    };
    for _ in 0..depth {
        julia = format!("Ptr{{{julia}}}");
    }
    let mut accepted = vec![julia];
    if c_type == "const char *" {
        accepted.push("Cstring".to_string());
    }
    Some(accepted)
}

/// The functions, structs and enum values of the header.
fn parse_header(text: &str) -> Result<Header, String> {
    let text = strip_c_comments(text);
    let mut constants = Vec::new();
    for (at, _) in text.match_indices("typedef enum ") {
        let open = at + text[at..].find('{').ok_or("an enum without a body")?;
        let close = open + matching_close(&text[open..]).ok_or("an enum without its closing brace")?;
        let mut next = 0;
        for entry in split_top_level(&text[open + 1..close]) {
            let (name, value) = entry.split_once('=').unwrap_or((&entry, ""));
            let value = match value.trim() {
                "" => next,
                value => value.parse().map_err(|_| format!("enum constant {entry}: value is not an integer"))?,
            };
            constants.push((name.trim().to_string(), value));
            next = value + 1;
        }
    }
    let mut structs = Vec::new();
    for (at, _) in text.match_indices("typedef struct ") {
        let after = &text[at + "typedef struct ".len()..];
        let name = identifier(after);
        let Some(body) = after[name.len()..].trim_start().strip_prefix('{') else {
            continue; // an opaque type: `typedef struct MistEstimator MistEstimator;`
        };
        let body = &body[..body.find('}').ok_or_else(|| format!("struct {name} without its closing brace"))?];
        let fields = body
            .split(';')
            .filter(|decl| !decl.trim().is_empty())
            .map(|decl| {
                c_declaration(decl).ok_or_else(|| format!("struct {name}: cannot read field `{}`", decl.trim()))
            })
            .collect::<Result<_, _>>()?;
        structs.push(Record { name: name.to_string(), fields });
    }
    let start = text.find("extern \"C\" {").ok_or("no `extern \"C\" {` block")? + "extern \"C\" {".len();
    let end = start + text[start..].find('}').ok_or("no end of the `extern \"C\"` block")?;
    let prototypes =
        text[start..end].lines().filter(|line| !line.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    let mut functions = Vec::new();
    for prototype in prototypes.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let unreadable = || format!("cannot read the prototype `{prototype}`");
        let (head, params) = prototype.split_once('(').ok_or_else(unreadable)?;
        let (name, ret) = c_declaration(head).ok_or_else(unreadable)?;
        let params = params.trim_end().strip_suffix(')').ok_or_else(unreadable)?;
        let args = match params.trim() {
            "void" => Vec::new(),
            params => params.split(',').map(|p| c_declaration(p).ok_or_else(unreadable)).collect::<Result<_, _>>()?,
        };
        functions.push(Signature { name, ret, args });
    }
    Ok(Header { functions, structs, constants })
}

/// The `@ccall` that starts at `at` in the comment-free text of capi.jl, with its wrapper: the
/// definition `name(args) = ` before it, on its line or wrapped over several by the formatter (the
/// definition starts on the last line before `at` that begins with a name at column 0).
fn parse_ccall(text: &str, at: usize) -> Result<Ccall, String> {
    let starts_definition = |line: &str| line.starts_with(|c: char| c.is_alphabetic() || c == '_');
    let line_start = text[..at]
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(0))
        .filter(|&i| i == 0 || starts_definition(&text[i..]))
        .max()
        .unwrap_or(0);
    let wrapper = text[line_start..at].split_whitespace().collect::<Vec<_>>().join(" ");
    let after = text[at + "@ccall".len()..].trim_start();
    let unreadable = || format!("cannot read the ccall `{}`", after.lines().next().unwrap_or(""));
    let (library, callee) = after.split_once('.').ok_or_else(unreadable)?;
    let name = identifier(callee);
    let call = callee[name.len()..].trim_start();
    let close = matching_close(call).filter(|_| call.starts_with('(')).ok_or_else(unreadable)?;
    let args = split_top_level(&call[1..close])
        .iter()
        .map(|arg| {
            let (arg_name, arg_type) =
                arg.split_once("::").ok_or_else(|| format!("{name}: argument `{arg}` has no type"))?;
            Ok((arg_name.trim().to_string(), arg_type.split_whitespace().collect()))
        })
        .collect::<Result<_, String>>()?;
    let ret = call[close + 1..].trim_start().strip_prefix("::").ok_or_else(|| format!("{name}: no return type"))?;
    let ret_end = ret.find(|c: char| c.is_whitespace() || c == ';').unwrap_or(ret.len());
    let form = || format!("{name}: the ccall is not the body of a wrapper `{name}(args) = @ccall ...`");
    let (wrapper_name, params) =
        wrapper.strip_suffix('=').and_then(|w| w.trim_end().split_once('(')).ok_or_else(form)?;
    let params = params.strip_suffix(')').ok_or_else(form)?;
    Ok(Ccall {
        wrapper: (wrapper_name.trim().to_string(), split_top_level(params)),
        library: library.trim().to_string(),
        call: Signature { name: name.to_string(), ret: ret[..ret_end].to_string(), args },
    })
}

/// The ccalls, structs and `const MIST_... = Cint(...)` values of capi.jl.
fn parse_julia(text: &str) -> JuliaLayer {
    let text = strip_julia_comments(text);
    let mut layer =
        JuliaLayer { ccalls: Vec::new(), structs: Vec::new(), constants: Vec::new(), unreadable: Vec::new() };
    for (at, _) in text.match_indices("@ccall") {
        match parse_ccall(&text, at) {
            Ok(ccall) => layer.ccalls.push(ccall),
            Err(problem) => layer.unreadable.push(problem),
        }
    }
    let raw_ccalls = text.matches("ccall(").count();
    if raw_ccalls > 0 {
        layer
            .unreadable
            .push(format!("{raw_ccalls} `ccall(` call(s): write every C call as `@ccall libmist().name(...)`"));
    }
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if let Some(decl) = line.strip_prefix("struct ") {
            let mut record = Record { name: identifier(decl).to_string(), fields: Vec::new() };
            for field in lines.by_ref().take_while(|line| *line != "end").filter(|line| !line.is_empty()) {
                match field.split_once("::") {
                    Some((name, ty)) => record.fields.push((name.trim().to_string(), ty.split_whitespace().collect())),
                    None => layer.unreadable.push(format!("struct {}: cannot read the field `{field}`", record.name)),
                }
            }
            layer.structs.push(record);
        } else if let Some((name, value)) = line.strip_prefix("const MIST_").and_then(|rest| rest.split_once('=')) {
            let name = format!("MIST_{}", name.trim());
            let number =
                value.trim().strip_prefix("Cint(").and_then(|v| v.strip_suffix(')')).and_then(|v| v.parse().ok());
            match number {
                Some(number) => layer.constants.push((name, number)),
                None => layer
                    .unreadable
                    .push(format!("{name}: write a C enum value as `Cint(<integer>)`, not `{}`", value.trim())),
            }
        }
    }
    layer
}

/// A C declaration as the header writes it: `const double *taus`, `size_t n_taus`.
fn c_spelling(c_type: &str, name: &str) -> String {
    let c_type = c_type.replace("* *", "**");
    if c_type.ends_with('*') { format!("{c_type}{name}") } else { format!("{c_type} {name}") }
}

/// The Julia spelling(s) of a C type under the type map, for messages.
fn julia_spelling(c_type: &str) -> String {
    julia_types(c_type).map_or_else(|| "none: the type map lacks it".to_string(), |types| types.join("` or `"))
}

/// The disagreements between one C function and its ccall.
fn compare_function(c: &Signature, ccall: &Ccall, problems: &mut Vec<String>) {
    let name = &c.name;
    let julia = &ccall.call;
    if ccall.library != "libmist()" {
        problems.push(format!(
            "{name}: the ccall's library is `{}`; use `libmist()`, resolved at load time",
            ccall.library
        ));
    }
    if ccall.wrapper.0 != *name {
        problems.push(format!("{name}: the ccall sits in a wrapper named `{}`; it must be `{name}`", ccall.wrapper.0));
    }
    let arg_names: Vec<&String> = julia.args.iter().map(|(n, _)| n).collect();
    if ccall.wrapper.1.iter().collect::<Vec<_>>() != arg_names {
        problems.push(format!(
            "{name}: the wrapper's parameters ({}) are not the ccall's arguments in order ({})",
            ccall.wrapper.1.join(", "),
            arg_names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    if !julia_types(&c.ret).is_some_and(|accepted| accepted.contains(&julia.ret)) {
        problems.push(format!(
            "{name}: returns `{}` in {HEADER} (Julia `{}`), but `{}` in {JULIA_CAPI}",
            c.ret,
            julia_spelling(&c.ret),
            julia.ret
        ));
    }
    if c.args.len() != julia.args.len() {
        problems.push(format!(
            "{name}: {} arguments in {HEADER} ({}), but {} in {JULIA_CAPI} ({})",
            c.args.len(),
            c.args.iter().map(|(n, t)| c_spelling(t, n)).collect::<Vec<_>>().join(", "),
            julia.args.len(),
            julia.args.iter().map(|(n, t)| format!("{n}::{t}")).collect::<Vec<_>>().join(", ")
        ));
        return;
    }
    for (i, ((c_name, c_type), (j_name, j_type))) in c.args.iter().zip(&julia.args).enumerate() {
        let accepted = julia_types(c_type).unwrap_or_default();
        if c_name != j_name || !accepted.contains(j_type) {
            problems.push(format!(
                "{name}: argument {} is `{}` in {HEADER} (Julia `{c_name}::{}`), but `{j_name}::{j_type}` in \
                 {JULIA_CAPI}",
                i + 1,
                c_spelling(c_type, c_name),
                julia_spelling(c_type)
            ));
        }
    }
}

/// The disagreements between one C struct and its Julia mirror.
fn compare_struct(c: &Record, julia: &Record, problems: &mut Vec<String>) {
    let name = &c.name;
    if c.fields.len() != julia.fields.len() {
        problems.push(format!(
            "struct {name}: {} fields in {HEADER}, but {} in {JULIA_CAPI}",
            c.fields.len(),
            julia.fields.len()
        ));
    }
    for (i, ((c_name, c_type), (j_name, j_type))) in c.fields.iter().zip(&julia.fields).enumerate() {
        let accepted = julia_types(c_type).unwrap_or_default();
        if c_name != j_name || !accepted.contains(j_type) {
            problems.push(format!(
                "struct {name}: field {} is `{}` in {HEADER} (Julia `{c_name}::{}`), but `{j_name}::{j_type}` \
                 in {JULIA_CAPI}",
                i + 1,
                c_spelling(c_type, c_name),
                julia_spelling(c_type)
            ));
        }
    }
}

/// Compares the header with the Julia layer: the counts compared, or every disagreement.
fn check(header: &str, julia: &str) -> Result<Summary, Vec<String>> {
    let header = parse_header(header).map_err(|e| vec![format!("{HEADER}: {e}")])?;
    let julia = parse_julia(julia);
    let mut problems = julia.unreadable.clone();
    for function in &header.functions {
        let ccalls: Vec<&Ccall> = julia.ccalls.iter().filter(|c| c.call.name == function.name).collect();
        match ccalls.as_slice() {
            [] => {
                problems.push(format!("{}: declared in {HEADER}, but no ccall in {JULIA_CAPI} calls it", function.name))
            }
            [ccall] => compare_function(function, ccall, &mut problems),
            _ => {
                problems.push(format!("{}: {} ccalls in {JULIA_CAPI}; write exactly one", function.name, ccalls.len()))
            }
        }
    }
    for ccall in julia.ccalls.iter().filter(|c| !header.functions.iter().any(|f| f.name == c.call.name)) {
        problems.push(format!("{}: called in {JULIA_CAPI}, but {HEADER} declares no such function", ccall.call.name));
    }
    for record in &header.structs {
        match julia.structs.iter().find(|s| s.name == record.name) {
            Some(mirror) => compare_struct(record, mirror, &mut problems),
            None => problems.push(format!("struct {}: declared in {HEADER}, but not in {JULIA_CAPI}", record.name)),
        }
    }
    for record in julia.structs.iter().filter(|s| !header.structs.iter().any(|c| c.name == s.name)) {
        problems.push(format!("struct {}: defined in {JULIA_CAPI}, but {HEADER} declares no such struct", record.name));
    }
    for (name, value) in &header.constants {
        match julia.constants.iter().find(|(n, _)| n == name) {
            Some((_, v)) if v == value => {}
            Some((_, v)) => problems.push(format!("{name}: {value} in {HEADER}, but {v} in {JULIA_CAPI}")),
            None => problems.push(format!("{name}: {value} in {HEADER}, but not defined in {JULIA_CAPI}")),
        }
    }
    for (name, value) in julia.constants.iter().filter(|(n, _)| !header.constants.iter().any(|(c, _)| c == n)) {
        problems.push(format!("{name}: {value} in {JULIA_CAPI}, but {HEADER} has no such constant"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Summary {
        functions: header.functions.len(),
        arguments: header.functions.iter().map(|f| f.args.len()).sum(),
        structs: header.structs.len(),
        fields: header.structs.iter().map(|s| s.fields.len()).sum(),
        constants: header.constants.len(),
    })
}

/// Checks the Julia layer at `path` against the header.
fn check_file(path: &Path) -> Result<Summary, Vec<String>> {
    check(&read(HEADER), &fs::read_to_string(path).expect("the Julia file is readable"))
}

#[test]
fn julia_layer_matches_header() {
    let julia = Path::new(env!("CARGO_MANIFEST_DIR")).join(JULIA_CAPI);
    match check_file(&julia) {
        Ok(s) => println!(
            "julia_bindings: {} functions ({} arguments), {} structs ({} fields) and {} enum values of {HEADER} \
             match {JULIA_CAPI}",
            s.functions, s.arguments, s.structs, s.fields, s.constants
        ),
        Err(problems) => panic!("{JULIA_CAPI} disagrees with {HEADER}:\n  {}", problems.join("\n  ")),
    }
}

#[test]
fn header_parse_finds_every_declaration() {
    let header = parse_header(&read(HEADER)).expect("the header parses");
    assert_eq!(header.functions.len(), 21, "{:?}", header.functions.iter().map(|f| &f.name).collect::<Vec<_>>());
    let ksg = header.functions.iter().find(|f| f.name == "mist_ksg").expect("mist_ksg is declared");
    assert_eq!(ksg.ret, "enum MistStatus");
    assert_eq!(ksg.args[0], ("x".to_string(), "const struct MistMatrix *".to_string()));
    assert_eq!(ksg.args[2], ("k".to_string(), "size_t".to_string()));
    let names: Vec<&str> = header.structs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["MistMatrix", "MistOptions"]);
    assert!(header.constants.contains(&("MIST_STATUS_DISCRETE_DATA".to_string(), 7)));
    assert!(header.constants.contains(&("MIST_STATUS_PANIC".to_string(), 99)));
    assert!(header.constants.contains(&("MIST_LAYOUT_COL_MAJOR".to_string(), 1)));
    assert_eq!(julia_types("struct MistEstimator * *"), Some(vec!["Ptr{Ptr{MistEstimator}}".to_string()]));
    assert_eq!(julia_types("const char *"), Some(vec!["Ptr{Cchar}".to_string(), "Cstring".to_string()]));
    assert_eq!(julia_types("char *"), Some(vec!["Ptr{Cchar}".to_string()]));
    assert_eq!(julia_types("enum MistDevice"), Some(vec!["Cint".to_string()]));
    assert_eq!(julia_types("long double"), None);
}

/// `text` with the first `from` replaced by `to`; panics when `from` is missing, so that a
/// mutation that no longer applies fails loudly instead of testing nothing.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{JULIA_CAPI} no longer contains `{from}`");
    text.replacen(from, to, 1)
}

#[test]
fn check_catches_mutations() {
    let original = read(JULIA_CAPI);
    type Mutation = fn(&str) -> String;
    let mutations: [(&str, Mutation, &[&str]); 4] = [
        (
            "argument type changed",
            |t| replace_once(t, "k::Csize_t", "k::Cint"),
            &["mist_ksg: argument 3 is `size_t k`", "`k::Csize_t`", "but `k::Cint`"],
        ),
        ("argument dropped", |t| replace_once(t, "n_taus::Csize_t,", ""), &["mist_quantiles", "6 arguments", "but 5"]),
        (
            "symbol renamed",
            |t| replace_once(t, "libmist().mist_max_dy(", "libmist().mist_max_dz("),
            &["mist_max_dy: declared", "mist_max_dz: called"],
        ),
        (
            "struct fields swapped",
            |t| {
                let t = replace_once(t, "rows::Csize_t", "@swapped@");
                let t = replace_once(&t, "cols::Csize_t", "rows::Csize_t");
                replace_once(&t, "@swapped@", "cols::Csize_t")
            },
            &["struct MistMatrix: field 2 is `size_t rows`", "but `cols::Csize_t`", "field 3 is `size_t cols`"],
        ),
    ];
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (what, mutate, expected) in mutations {
        let path = dir.path().join("capi.jl");
        fs::write(&path, mutate(&original)).expect("the mutated copy is written");
        let problems = check_file(&path).expect_err(&format!("the check passes a copy with {what}"));
        let report = problems.join("\n  ");
        for needle in expected {
            assert!(report.contains(needle), "{what}: no message mentions `{needle}`:\n  {report}");
        }
        println!("julia_bindings: mutation '{what}' caught:\n  {report}");
    }
}
