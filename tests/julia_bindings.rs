//! The Julia package's low-level layer, bindings/julia/Mist.jl/src/capi.jl, is generated from the C
//! header include/mist.h by this test, without Julia. Between two marker comments the file holds,
//! in the header's order: a comment and one `const NAME = Cint(value)` per value of each enum; one
//! Julia `struct` per C struct (fields in order, types under a fixed C-to-Julia type map), opaque
//! ones as `mutable struct Name end`; one wrapper `name(args) = @ccall libmist().name(arg::Type,
//! ...)::Type` per exported function. Each struct and function has a docstring: its Julia call
//! signature, then the header's doc comment as text wrapped at 100 columns (a struct's fields
//! listed). The wrappers are laid out as `fatou format` lays them out (line width 92), so that
//! scripts/check-julia passes on the generated file. The rest of capi.jl (the comment at its top,
//! the module docstring, finding libmist) is written by hand and kept as it is.
//!
//! `julia_layer_is_generated_from_header` fails when the committed capi.jl differs from the text
//! generated from the header now, naming the first differing line; after changing the header, run
//! `MIST_UPDATE_JULIA=1 cargo test --release -p mist --test julia_bindings` to rewrite the file.
//! An independent reader of capi.jl (the check that this file made before the layer was generated)
//! compares the generated text with the header declaration by declaration, so that a generator bug
//! cannot pass unnoticed. Both checks are tested on mutated copies: a changed argument type, a
//! dropped wrapper or argument, swapped struct fields, a changed enum value.

use std::fs;
use std::path::Path;

/// The header, relative to the crate root.
const HEADER: &str = "include/mist.h";
/// The Julia low-level layer, relative to the crate root.
const JULIA_CAPI: &str = "bindings/julia/Mist.jl/src/capi.jl";
/// The line of capi.jl after which the generated text starts.
const BEGIN_MARKER: &str = "# --- generated from include/mist.h by tests/julia_bindings.rs: do not edit below ---";
/// The line of capi.jl before which the generated text ends.
const END_MARKER: &str = "# --- end of generated code ---";
/// The command that rewrites capi.jl.
const REGENERATE: &str = "MIST_UPDATE_JULIA=1 cargo test --release -p mist --test julia_bindings";
/// The line width of `fatou format` (its default, which scripts/check-julia uses).
const FORMAT_WIDTH: usize = 92;
/// The width that docstrings and comments are wrapped at.
const DOC_WIDTH: usize = 100;

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

/// A function: its name, return type and (name, type) arguments, in C or in Julia spelling, and
/// the paragraphs of its doc comment (none on the Julia side).
#[derive(Debug, Default)]
struct Signature {
    name: String,
    ret: String,
    args: Vec<(String, String)>,
    doc: Vec<String>,
}

/// A struct: its name and (name, type) fields in order, with the paragraphs of its doc comment and
/// of each field's (none on the Julia side).
#[derive(Debug, Default)]
struct Record {
    name: String,
    fields: Vec<(String, String)>,
    doc: Vec<String>,
    field_docs: Vec<Vec<String>>,
}

/// An enum: its name, the paragraphs of its doc comment and its values in order.
#[derive(Debug)]
struct Enum {
    name: String,
    doc: Vec<String>,
    values: Vec<(String, i64)>,
}

/// The declarations of include/mist.h that the Julia layer mirrors, in the header's order.
struct Header {
    enums: Vec<Enum>,
    /// Opaque structs (`typedef struct X X;`): name and doc paragraphs.
    opaque: Vec<(String, Vec<String>)>,
    structs: Vec<Record>,
    functions: Vec<Signature>,
}

impl Header {
    /// Every enum value, enum after enum.
    fn constants(&self) -> Vec<(String, i64)> {
        self.enums.iter().flat_map(|e| e.values.iter().cloned()).collect()
    }
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

/// `text` with its `/* */` and `//` comments and its preprocessor lines blanked: every byte but a
/// newline becomes a space, so that offsets into the result are offsets into `text`.
fn blank_c_comments(text: &str) -> String {
    fn blank(out: &mut String, text: &str) {
        out.extend(text.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let block_comment =
            |block: usize| (block, rest[block + 2..].find("*/").map_or(rest.len(), |end| block + 4 + end));
        let line_comment = |line: usize| (line, rest[line..].find('\n').map_or(rest.len(), |end| line + end));
        let (start, end) = match (rest.find("/*"), rest.find("//")) {
            (Some(block), Some(line)) if line < block => line_comment(line),
            (Some(block), _) => block_comment(block),
            (None, Some(line)) => line_comment(line),
            (None, None) => break,
        };
        out.push_str(&rest[..start]);
        blank(&mut out, &rest[start..end]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    let mut code = String::with_capacity(out.len());
    for line in out.split_inclusive('\n') {
        if line.trim_start().starts_with('#') { blank(&mut code, line) } else { code.push_str(line) }
    }
    code
}

/// The paragraphs of the `/** ... */` doc comment that ends right before `at` in `raw` (only
/// whitespace between); none when there is no such comment. A paragraph's lines are joined by
/// spaces; a heading line (`# Safety`) is a paragraph of its own.
fn doc_before(raw: &str, at: usize) -> Vec<String> {
    let Some(body) = raw[..at].trim_end().strip_suffix("*/") else { return Vec::new() };
    let Some(open) = body.rfind("/**") else { return Vec::new() };
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    fn flush(current: &mut Vec<&str>, paragraphs: &mut Vec<String>) {
        if !current.is_empty() {
            paragraphs.push(current.join(" "));
            current.clear();
        }
    }
    for line in body[open + 3..].lines() {
        let line = line.trim();
        let line = line.strip_prefix('*').unwrap_or(line).trim();
        if line.is_empty() {
            flush(&mut current, &mut paragraphs);
        } else if line.starts_with("# ") {
            flush(&mut current, &mut paragraphs);
            paragraphs.push(line.to_string());
        } else {
            current.push(line);
        }
    }
    flush(&mut current, &mut paragraphs);
    paragraphs
}

/// The pieces of `text` between `separator`s, each with the offset (in `text`, plus `base`) of its
/// first non-blank character; blank pieces are left out.
fn pieces(text: &str, base: usize, separator: char) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = base;
    for piece in text.split(separator) {
        if !piece.trim().is_empty() {
            out.push((offset + piece.len() - piece.trim_start().len(), piece.trim()));
        }
        offset += piece.len() + separator.len_utf8();
    }
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

/// The enums, structs and functions of the header, with their doc comments.
fn parse_header(raw: &str) -> Result<Header, String> {
    let text = blank_c_comments(raw);
    let mut enums = Vec::new();
    for (at, _) in text.match_indices("typedef enum ") {
        let name = identifier(&text[at + "typedef enum ".len()..]).to_string();
        let open = at + text[at..].find('{').ok_or("an enum without a body")?;
        let close = open + matching_close(&text[open..]).ok_or("an enum without its closing brace")?;
        let mut values = Vec::new();
        let mut next = 0;
        for entry in split_top_level(&text[open + 1..close]) {
            let (value_name, value) = entry.split_once('=').unwrap_or((&entry, ""));
            let value = match value.trim() {
                "" => next,
                value => value.parse().map_err(|_| format!("enum constant {entry}: value is not an integer"))?,
            };
            values.push((value_name.trim().to_string(), value));
            next = value + 1;
        }
        enums.push(Enum { name, doc: doc_before(raw, at), values });
    }
    let mut structs = Vec::new();
    let mut opaque = Vec::new();
    for (at, _) in text.match_indices("typedef struct ") {
        let after = at + "typedef struct ".len();
        let name = identifier(&text[after..]);
        let rest = &text[after + name.len()..];
        if !rest.trim_start().starts_with('{') {
            opaque.push((name.to_string(), doc_before(raw, at))); // `typedef struct MistEstimator MistEstimator;`
            continue;
        }
        let open = after + name.len() + rest.find('{').expect("the body starts with `{`") + 1;
        let close = open + text[open..].find('}').ok_or_else(|| format!("struct {name} without its closing brace"))?;
        let mut record = Record { name: name.to_string(), doc: doc_before(raw, at), ..Record::default() };
        for (start, decl) in pieces(&text[open..close], open, ';') {
            let field = c_declaration(decl).ok_or_else(|| format!("struct {name}: cannot read field `{decl}`"))?;
            record.fields.push(field);
            record.field_docs.push(doc_before(raw, start));
        }
        structs.push(record);
    }
    let start = text.find("extern \"C\" {").ok_or("no `extern \"C\" {` block")? + "extern \"C\" {".len();
    let end = start + text[start..].find('}').ok_or("no end of the `extern \"C\"` block")?;
    let mut functions = Vec::new();
    for (at, prototype) in pieces(&text[start..end], start, ';') {
        let unreadable =
            || format!("cannot read the prototype `{}`", prototype.split_whitespace().collect::<Vec<_>>().join(" "));
        let (head, params) = prototype.split_once('(').ok_or_else(unreadable)?;
        let (name, ret) = c_declaration(head).ok_or_else(unreadable)?;
        let params = params.trim_end().strip_suffix(')').ok_or_else(unreadable)?;
        let args = match params.trim() {
            "void" => Vec::new(),
            params => params.split(',').map(|p| c_declaration(p).ok_or_else(unreadable)).collect::<Result<_, _>>()?,
        };
        functions.push(Signature { name, ret, args, doc: doc_before(raw, at) });
    }
    Ok(Header { enums, opaque, structs, functions })
}

/// `text` with its first letter in lower case when it starts a plain word ("The first element" but
/// not "MIST_DEVICE_CPU" or "CUDA"), to follow a colon.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_ascii_uppercase() && second.is_ascii_lowercase() => {
            format!("{}{}", first.to_ascii_lowercase(), &text[1..])
        }
        _ => text.to_string(),
    }
}

/// The first sentence of `text`: up to the first ". " that does not end "e.g." or "i.e.".
fn first_sentence(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find(". ") {
        let end = from + i + 1;
        if !(text[..end].ends_with("e.g.") || text[..end].ends_with("i.e.")) {
            return &text[..end];
        }
        from = end;
    }
    text
}

/// The width of `text` in columns (characters).
fn columns(text: &str) -> usize {
    text.chars().count()
}

/// Whether `word` would change the meaning of a Markdown line it started (a list item, a heading,
/// a quote), so that wrapping must not put it first on a line.
fn starts_markdown(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_digit());
    matches!(word, "-" | "+" | "*" | ">" | "=")
        || word.starts_with('#')
        || (digits.len() < word.len() && (digits.starts_with('.') || digits.starts_with(')')))
}

/// `tokens` wrapped at `width` columns: the first line is `first` then the first token, the others
/// start with `rest`; tokens on a line are apart by one space, and one longer than a line gets a
/// line of its own.
fn wrap(tokens: &[String], width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for token in tokens {
        if !empty && columns(&line) + 1 + columns(token) > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(token);
        empty = false;
    }
    lines.push(line);
    lines
}

/// Doc text as the words of a Julia docstring, the units that wrapping keeps on one line: `\` and
/// `$` escaped (a docstring interpolates), a code span between backticks kept whole, and a word that
/// must not start a line glued to the one before it.
fn doc_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let word = word.replace('\\', "\\\\").replace('$', "\\$");
        match words.last_mut() {
            Some(last) if last.matches('`').count() % 2 == 1 || starts_markdown(&word) => {
                last.push(' ');
                last.push_str(&word);
            }
            _ => words.push(word),
        }
    }
    words
}

/// Doc paragraphs as docstring lines wrapped at [`DOC_WIDTH`]: a heading (`# Safety`) with its
/// paragraph right below it, other paragraphs apart by a blank line.
fn doc_lines(paragraphs: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut after_heading = false;
    for paragraph in paragraphs {
        if !lines.is_empty() && !after_heading {
            lines.push(String::new());
        }
        after_heading = paragraph.starts_with("# ");
        if after_heading {
            lines.push(paragraph.clone());
        } else {
            lines.extend(wrap(&doc_words(paragraph), DOC_WIDTH, "", ""));
        }
    }
    lines
}

/// The Julia type of a C type: the first of the type map's.
fn julia_type(c_type: &str, what: &str) -> Result<String, String> {
    julia_types(c_type).map(|types| types[0].clone()).ok_or_else(|| {
        format!("{what}: the C type `{c_type}` is not in the type map; add it to SCALARS in tests/julia_bindings.rs")
    })
}

/// The call signature at the top of a docstring, `    name(a, b) -> T`, wrapped at
/// [`DOC_WIDTH`] with the continuation lines indented by 8.
fn signature_lines(name: &str, params: &[String], suffix: &str) -> Vec<String> {
    let mut tokens: Vec<String> = params.iter().map(|p| format!("{p},")).collect();
    match tokens.last_mut() {
        Some(last) => {
            last.pop();
            last.push_str(&format!("){suffix}"));
        }
        None => tokens.push(format!("){suffix}")),
    }
    wrap(&tokens, DOC_WIDTH, &format!("    {name}("), "        ")
}

/// A docstring: the signature lines, a blank line and the body lines.
fn docstring(signature: &[String], body: &[String]) -> String {
    let mut lines = vec!["\"\"\"".to_string()];
    lines.extend(signature.iter().cloned());
    if !body.is_empty() {
        lines.push(String::new());
        lines.extend(body.iter().cloned());
    }
    lines.push("\"\"\"".to_string());
    lines.join("\n")
}

/// The wrapper of a C function as `fatou format` lays it out at [`FORMAT_WIDTH`]: on one line when
/// it fits; else the ccall's arguments one per line; else, when even `name(params) = @ccall
/// libmist().name(` is too long, the wrapper's parameters one per line too, the ccall staying on
/// the line of `) =` when it fits there.
fn wrapper(name: &str, args: &[(String, String)], ret: &str) -> String {
    let params: Vec<&str> = args.iter().map(|(n, _)| n.as_str()).collect();
    let typed: Vec<String> = args.iter().map(|(n, t)| format!("{n}::{t}")).collect();
    let head = format!("{name}({}) = @ccall libmist().{name}(", params.join(", "));
    let one_line = format!("{head}{})::{ret}", typed.join(", "));
    if args.is_empty() || columns(&one_line) <= FORMAT_WIDTH {
        return one_line;
    }
    let one_per_line = |items: &[String]| items.iter().map(|i| format!("    {i},\n")).collect::<String>();
    let typed_lines = one_per_line(&typed);
    if columns(&head) <= FORMAT_WIDTH {
        return format!("{head}\n{typed_lines})::{ret}");
    }
    let param_lines = one_per_line(&params.iter().map(|p| p.to_string()).collect::<Vec<_>>());
    let tail = format!(") = @ccall libmist().{name}({})::{ret}", typed.join(", "));
    if columns(&tail) <= FORMAT_WIDTH {
        return format!("{name}(\n{param_lines}{tail}");
    }
    format!("{name}(\n{param_lines}) = @ccall libmist().{name}(\n{typed_lines})::{ret}")
}

/// The generated part of capi.jl: the enum values, the types and the function wrappers of the
/// header with their docstrings, items apart by a blank line; it starts and ends with a blank line.
fn generate(header: &Header) -> Result<String, String> {
    let mut items = Vec::new();
    for e in &header.enums {
        let summary = e.doc.first().map_or(String::new(), |doc| format!(": {}", lower_first(first_sentence(doc))));
        let words: Vec<String> = format!("enum {}{summary}", e.name).split_whitespace().map(String::from).collect();
        let mut lines = wrap(&words, DOC_WIDTH, "# ", "# ");
        lines.extend(e.values.iter().map(|(name, value)| format!("const {name} = Cint({value})")));
        items.push(lines.join("\n"));
    }
    // Opaque types first: they are only seen behind pointers, and may appear in the structs.
    for (name, doc) in &header.opaque {
        let signature = [format!("    LibMist.{name}")];
        items.push(format!("{}\nmutable struct {name} end", docstring(&signature, &doc_lines(doc))));
    }
    for record in &header.structs {
        let name = &record.name;
        let mut fields = Vec::new();
        let mut body = doc_lines(&record.doc);
        if !body.is_empty() {
            body.push(String::new());
        }
        body.push("# Fields".to_string());
        for ((field, c_type), doc) in record.fields.iter().zip(&record.field_docs) {
            let typed = format!("{field}::{}", julia_type(c_type, &format!("struct {name}, field {field}"))?);
            let item = format!("- `{typed}`: ");
            body.extend(wrap(&doc_words(&lower_first(&doc.join(" "))), DOC_WIDTH, &item, "  "));
            fields.push(format!("    {typed}"));
        }
        let params: Vec<String> = record.fields.iter().map(|(n, _)| n.clone()).collect();
        let signature = signature_lines(&format!("LibMist.{name}"), &params, "");
        items.push(format!("{}\nstruct {name}\n{}\nend", docstring(&signature, &body), fields.join("\n")));
    }
    for f in &header.functions {
        let name = &f.name;
        let args = f
            .args
            .iter()
            .map(|(arg, c_type)| Ok((arg.clone(), julia_type(c_type, &format!("{name}, argument {arg}"))?)))
            .collect::<Result<Vec<_>, String>>()?;
        let ret = julia_type(&f.ret, &format!("{name}, return type"))?;
        let suffix = if ret == "Cvoid" { String::new() } else { format!(" -> {ret}") };
        let params: Vec<String> = args.iter().map(|(n, _)| n.clone()).collect();
        let signature = signature_lines(name, &params, &suffix);
        items.push(format!("{}\n{}", docstring(&signature, &doc_lines(&f.doc)), wrapper(name, &args, &ret)));
    }
    Ok(format!("\n{}\n\n", items.join("\n\n")))
}

/// The offset of the line of `text` that is exactly `marker`; an error when there is none or more
/// than one.
fn marker_line(text: &str, marker: &str) -> Result<usize, String> {
    let at: Vec<usize> = text
        .match_indices(marker)
        .map(|(at, _)| at)
        .filter(|&at| {
            (at == 0 || text[..at].ends_with('\n'))
                && matches!(text[at + marker.len()..].chars().next(), None | Some('\n'))
        })
        .collect();
    match at.as_slice() {
        [at] => Ok(*at),
        [] => Err(format!(
            "{JULIA_CAPI} has no line `{marker}`: the generated part of the file goes between the lines `{BEGIN_MARKER}` \
             and `{END_MARKER}`; put them back where the generated part should be, then run `{REGENERATE}`"
        )),
        _ => Err(format!("{JULIA_CAPI} has {} lines `{marker}`; keep one", at.len())),
    }
}

/// `current` (the text of capi.jl) with the part between its markers generated from `header`:
/// what the committed file must be.
fn render_capi(current: &str, header: &Header) -> Result<String, String> {
    let begin = marker_line(current, BEGIN_MARKER)? + BEGIN_MARKER.len() + 1;
    let end = marker_line(current, END_MARKER)?;
    if end < begin {
        return Err(format!("{JULIA_CAPI}: the line `{END_MARKER}` comes before `{BEGIN_MARKER}`"));
    }
    Ok(format!("{}{}{}", &current[..begin], generate(header)?, &current[end..]))
}

/// `Ok` when `found` is `expected`; else a message with the first differing line (1-based), its
/// expected and found text, and how to regenerate the file.
fn compare_layer(expected: &str, found: &str) -> Result<(), String> {
    if expected == found {
        return Ok(());
    }
    let expected: Vec<&str> = expected.split('\n').collect();
    let found: Vec<&str> = found.split('\n').collect();
    let line = (0..).find(|&i| expected.get(i) != found.get(i)).expect("the texts differ");
    let show = |text: Option<&&str>| text.map_or_else(|| "(end of file)".to_string(), |t| format!("|{t}|"));
    Err(format!(
        "{JULIA_CAPI} is not what tests/julia_bindings.rs generates from {HEADER}; first difference at line {}:\n  \
         expected: {}\n  found:    {}\nThe part between the marker lines is generated: run `{REGENERATE}` to rewrite \
         it (edit the rest of the file by hand).",
        line + 1,
        show(expected.get(line)),
        show(found.get(line)),
    ))
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
        call: Signature { name: name.to_string(), ret: ret[..ret_end].to_string(), args, doc: Vec::new() },
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
            let mut record = Record { name: identifier(decl).to_string(), ..Record::default() };
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
    let constants = header.constants();
    for (name, value) in &constants {
        match julia.constants.iter().find(|(n, _)| n == name) {
            Some((_, v)) if v == value => {}
            Some((_, v)) => problems.push(format!("{name}: {value} in {HEADER}, but {v} in {JULIA_CAPI}")),
            None => problems.push(format!("{name}: {value} in {HEADER}, but not defined in {JULIA_CAPI}")),
        }
    }
    for (name, value) in julia.constants.iter().filter(|(n, _)| !constants.iter().any(|(c, _)| c == n)) {
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
        constants: constants.len(),
    })
}

/// A capi.jl without hand-written parts: the markers inside the module, for the tests that must
/// not read the committed file (the main test may be rewriting it at the same time).
const SKELETON: &str = "module LibMist\n\n# --- generated from include/mist.h by tests/julia_bindings.rs: do not edit below ---\n\
                        # --- end of generated code ---\n\nend # module LibMist\n";

/// The header as parsed now.
fn header() -> Header {
    parse_header(&read(HEADER)).unwrap_or_else(|e| panic!("{HEADER}: {e}"))
}

/// What capi.jl is when its hand-written parts are those of `current`.
fn expected_capi(current: &str) -> String {
    render_capi(current, &header()).unwrap_or_else(|e| panic!("{e}"))
}

/// The committed capi.jl is the one generated from the header; with MIST_UPDATE_JULIA=1 this
/// writes it instead.
#[test]
fn julia_layer_is_generated_from_header() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(JULIA_CAPI);
    let committed = read(JULIA_CAPI);
    let expected = expected_capi(&committed);
    if std::env::var_os("MIST_UPDATE_JULIA").is_some_and(|v| v == "1") {
        if committed == expected {
            println!("julia_bindings: {JULIA_CAPI} is up to date");
        } else {
            fs::write(&path, &expected).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            println!("julia_bindings: rewrote {JULIA_CAPI} from {HEADER}");
        }
        return;
    }
    if let Err(message) = compare_layer(&expected, &committed) {
        panic!("{message}");
    }
    println!("julia_bindings: {JULIA_CAPI} is what {HEADER} generates ({} lines)", committed.lines().count());
}

/// The generated text, read back by the independent reader of capi.jl, mirrors the header: every
/// function wrapped once with the mapped types, every struct field and enum value.
#[test]
fn generated_layer_mirrors_header() {
    let generated = expected_capi(SKELETON);
    match check(&read(HEADER), &generated) {
        Ok(s) => println!(
            "julia_bindings: {} functions ({} arguments), {} structs ({} fields) and {} enum values of {HEADER} \
             are in the generated layer",
            s.functions, s.arguments, s.structs, s.fields, s.constants
        ),
        Err(problems) => panic!("the generated layer disagrees with {HEADER}:\n  {}", problems.join("\n  ")),
    }
}

/// The number of function prototypes in `header`, counted apart from the parser: lines that start
/// at column 0 with a letter and name a `mist_...(`.
fn count_prototypes(header: &str) -> usize {
    header
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter(|line| {
            line.match_indices("mist_").any(|(at, _)| {
                let name = identifier(&line[at..]);
                line[at + name.len()..].starts_with('(')
            })
        })
        .count()
}

#[test]
fn header_parse_finds_every_declaration() {
    let raw = read(HEADER);
    let header = parse_header(&raw).expect("the header parses");
    let names: Vec<&str> = header.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.len(), count_prototypes(&raw), "{names:?}");
    for name in ["mist_create", "mist_ksg", "mist_estimate_auto", "mist_test", "mist_pairs", "mist_version"] {
        assert!(names.contains(&name), "{name} is not among {names:?}");
    }
    let ksg = header.functions.iter().find(|f| f.name == "mist_ksg").expect("mist_ksg is declared");
    assert_eq!(ksg.ret, "enum MistStatus");
    assert_eq!(ksg.args[0], ("x".to_string(), "const struct MistMatrix *".to_string()));
    assert_eq!(ksg.args[2], ("k".to_string(), "size_t".to_string()));
    assert!(ksg.doc[0].starts_with("The Kraskov–Stögbauer–Grassberger k-nearest-neighbour estimate"), "{:?}", ksg.doc);
    assert!(ksg.doc.contains(&"# Safety".to_string()), "{:?}", ksg.doc);
    let version = header.functions.iter().find(|f| f.name == "mist_version").expect("mist_version is declared");
    assert!(version.args.is_empty());
    assert_eq!(version.ret, "const char *");
    let names: Vec<&str> = header.structs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["MistMatrix", "MistOptions", "MistTestResult"]);
    let matrix = &header.structs[0];
    assert_eq!(matrix.field_docs.len(), matrix.fields.len());
    assert_eq!(matrix.field_docs[0], ["The first element."]);
    assert!(matrix.doc[0].starts_with("A `rows × cols` matrix of doubles"), "{:?}", matrix.doc);
    let result = &header.structs[2];
    assert_eq!(result.fields.last(), Some(&("method".to_string(), "int".to_string())));
    assert_eq!(header.opaque.len(), 1);
    assert_eq!(header.opaque[0].0, "MistEstimator");
    assert!(header.opaque[0].1[0].starts_with("An estimator handle"), "{:?}", header.opaque[0].1);
    let enums: Vec<&str> = header.enums.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(enums, ["MistStatus", "MistLayout", "MistDevice", "MistTableMethod", "MistKind", "MistMethod"]);
    assert!(header.enums[0].doc[0].starts_with("The result of every fallible function."));
    let constants = header.constants();
    assert!(constants.contains(&("MIST_STATUS_DISCRETE_DATA".to_string(), 7)));
    assert!(constants.contains(&("MIST_STATUS_PANIC".to_string(), 99)));
    assert!(constants.contains(&("MIST_LAYOUT_COL_MAJOR".to_string(), 1)));
    assert!(constants.contains(&("MIST_METHOD_AUTO".to_string(), 8)));
    assert_eq!(julia_types("struct MistEstimator * *"), Some(vec!["Ptr{Ptr{MistEstimator}}".to_string()]));
    assert_eq!(julia_types("const char *"), Some(vec!["Ptr{Cchar}".to_string(), "Cstring".to_string()]));
    assert_eq!(julia_types("char *"), Some(vec!["Ptr{Cchar}".to_string()]));
    assert_eq!(julia_types("enum MistDevice"), Some(vec!["Cint".to_string()]));
    assert_eq!(julia_types("long double"), None);
}

/// The generated text has the shapes capi.jl had by hand: constants, structs, docstrings and
/// wrappers.
#[test]
fn generated_text_has_the_expected_shapes() {
    let generated = expected_capi(SKELETON);
    for needle in [
        "# enum MistStatus: the result of every fallible function.\nconst MIST_STATUS_OK = Cint(0)\n",
        "const MIST_METHOD_GAUSSIAN = Cint(4)\n",
        "const MIST_METHOD_AUTO = Cint(8)\n",
        "\"\"\"\n    LibMist.MistEstimator\n\nAn estimator handle: ",
        "mutable struct MistEstimator end\n",
        "\"\"\"\n    LibMist.MistMatrix(data, rows, cols, layout)\n\nA `rows × cols` matrix of doubles",
        "# Fields\n- `data::Ptr{Cdouble}`: the first element.\n- `rows::Csize_t`: number of rows",
        "struct MistMatrix\n    data::Ptr{Cdouble}\n    rows::Csize_t\n    cols::Csize_t\n    layout::Cint\nend\n",
        "struct MistTestResult\n    estimate::Cdouble\n    p_value::Cdouble\n    permutations::Csize_t\n    \
         method::Cint\nend\n",
        "\"\"\"\n    mist_ksg(x, y, k, out_mi) -> Cint\n\nThe Kraskov–Stögbauer–Grassberger",
        "\n# Safety\n`x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.\n\"\"\"\n\
         mist_ksg(x, y, k, out_mi) = @ccall libmist().mist_ksg(\n    x::Ptr{MistMatrix},\n    \
         y::Ptr{MistMatrix},\n    k::Csize_t,\n    out_mi::Ptr{Cdouble},\n)::Cint\n",
        "\"\"\"\n    mist_free(est)\n\nReleases a handle",
        "mist_free(est) = @ccall libmist().mist_free(est::Ptr{MistEstimator})::Cvoid\n",
        "mist_version() = @ccall libmist().mist_version()::Ptr{Cchar}\n",
        "mist_test(\n    est,\n    x,\n",
        "    out::Ptr{MistTestResult},\n)::Cint\n",
        "mist_pairs(\n    est,\n    data,\n    kinds_of,\n",
    ] {
        assert!(generated.contains(needle), "the generated layer lacks\n{needle}\n---\n{generated}");
    }
    for line in generated.lines() {
        assert!(columns(line) <= DOC_WIDTH, "a generated line is longer than {DOC_WIDTH} columns: {line}");
    }
}

/// Doc text is wrapped as words that keep its Markdown meaning: code spans whole, no line started
/// by a list, heading or quote marker, `$` and `\` escaped; first sentences and lower-cased first
/// letters are taken as the enum comments and field lists use them.
#[test]
fn doc_text_keeps_its_meaning_when_wrapped() {
    let words = doc_words("a `(1 + x) / 2` b + c - d $e \\f 3. g");
    assert_eq!(words, ["a", "`(1 + x) / 2`", "b +", "c -", "d", "\\$e", "\\\\f 3.", "g"]);
    let long = format!("{} `a code span that is long` + 1 - 2", "word ".repeat(18));
    let lines = doc_lines(&[long, "# Safety".to_string(), "Text.".to_string()]);
    assert_eq!(lines[0].len(), 89);
    assert_eq!(lines[1..], ["`a code span that is long` + 1 - 2", "", "# Safety", "Text."]);
    assert_eq!(first_sentence("The first, e.g. this. The second."), "The first, e.g. this.");
    assert_eq!(first_sentence("No full stop"), "No full stop");
    assert_eq!(lower_first("The first element."), "the first element.");
    assert_eq!(lower_first("MIST_DEVICE_CPU (default)"), "MIST_DEVICE_CPU (default)");
    assert_eq!(lower_first("CUDA device"), "CUDA device");
    let generated = expected_capi(SKELETON);
    assert!(generated.contains("`(1 + #{permutations whose estimate ≥ estimate}) / (1 + permutations)`"));
}

/// The wrapper's layout follows `fatou format` at 92 columns; each pair of cases below, at 92 and
/// 93 columns, was laid out by fatou 0.24.0 (`fatou --no-config format`) as asserted.
#[test]
fn wrapper_layout_follows_fatou() {
    let arg = |n: &str, t: &str| (n.to_string(), t.to_string());
    // The whole wrapper: one line at 92 columns; at 93 the ccall's arguments go one per line.
    let name = format!("f{}", "a".repeat(26));
    let at_92 = wrapper(&name, &[arg("x", "Cint")], "Cint");
    assert_eq!(at_92, format!("{name}(x) = @ccall libmist().{name}(x::Cint)::Cint"));
    assert_eq!(columns(&at_92), 92);
    let at_93 = wrapper(&name, &[arg("x", "Cint")], "Int32");
    assert_eq!(at_93, format!("{name}(x) = @ccall libmist().{name}(\n    x::Cint,\n)::Int32"));
    // The head `name(params) = @ccall libmist().name(`: at 92 columns it stays on one line; at 93
    // the wrapper's parameters go one per line, and the ccall fits on the line of `) =`.
    let name = format!("g{}", "b".repeat(33));
    let head_92 = wrapper(&name, &[arg("x", "Cint")], "Cint");
    assert_eq!(head_92, format!("{name}(x) = @ccall libmist().{name}(\n    x::Cint,\n)::Cint"));
    assert_eq!(columns(head_92.lines().next().unwrap()), 92);
    let head_93 = wrapper(&name, &[arg("xy", "Cint")], "Cint");
    assert_eq!(head_93, format!("{name}(\n    xy,\n) = @ccall libmist().{name}(xy::Cint)::Cint"));
    // The line of `) = @ccall ...`: at 92 columns the ccall stays on it; at 93 its arguments go
    // one per line too.
    let name = format!("g{}", "b".repeat(39));
    let tail_92 = wrapper(&name, &[arg("x", "Cint"), arg("y", "Ptr{Cfloat}")], "Cint");
    assert_eq!(
        tail_92,
        format!("{name}(\n    x,\n    y,\n) = @ccall libmist().{name}(x::Cint, y::Ptr{{Cfloat}})::Cint")
    );
    assert_eq!(columns(tail_92.lines().last().unwrap()), 92);
    let tail_93 = wrapper(&name, &[arg("x", "Cint"), arg("y", "Ptr{Cdouble}")], "Cint");
    assert_eq!(
        tail_93,
        format!("{name}(\n    x,\n    y,\n) = @ccall libmist().{name}(\n    x::Cint,\n    y::Ptr{{Cdouble}},\n)::Cint")
    );
    assert_eq!(wrapper("mist_none", &[], "Cint"), "mist_none() = @ccall libmist().mist_none()::Cint");
}

/// `text` with the first `from` replaced by `to`; panics when `from` is missing, so that a
/// mutation that no longer applies fails loudly instead of testing nothing.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the generated layer no longer contains `{from}`");
    text.replacen(from, to, 1)
}

/// The 1-based line of `text` on which `needle` starts.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap_or_else(|| panic!("the generated layer no longer contains `{needle}`"));
    text[..at].matches('\n').count() + 1
}

/// A copy of capi.jl changed by hand differs from the generated text, and the message names the
/// first changed line with its expected and found text.
#[test]
fn difference_is_reported_with_its_line() {
    let expected = expected_capi(SKELETON);
    let ksg_k = "    k::Csize_t,\n    out_mi::Ptr{Cdouble},\n)::Cint";
    let max_dy = "mist_max_dy(est) = @ccall libmist().mist_max_dy(est::Ptr{MistEstimator})::Csize_t\n";
    type Mutation = fn(&str) -> String;
    // What changes, the mutation, the text where it starts, and the expected and found lines.
    let mutations: [(&str, Mutation, &str, &str, &str); 5] = [
        (
            "argument type changed",
            |t| replace_once(t, "    k::Csize_t,\n", "    k::Cint,\n"),
            ksg_k,
            "    k::Csize_t,",
            "    k::Cint,",
        ),
        (
            "wrapper dropped",
            |t| {
                replace_once(
                    t,
                    "mist_max_dy(est) = @ccall libmist().mist_max_dy(est::Ptr{MistEstimator})::Csize_t\n",
                    "",
                )
            },
            max_dy,
            "mist_max_dy(est) = @ccall",
            "",
        ),
        (
            "struct fields swapped",
            |t| replace_once(t, "    rows::Csize_t\n    cols::Csize_t\n", "    cols::Csize_t\n    rows::Csize_t\n"),
            "    rows::Csize_t\n    cols::Csize_t\n",
            "    rows::Csize_t",
            "    cols::Csize_t",
        ),
        (
            "enum value changed",
            |t| replace_once(t, "const MIST_METHOD_AUTO = Cint(8)", "const MIST_METHOD_AUTO = Cint(9)"),
            "const MIST_METHOD_AUTO = Cint(8)",
            "Cint(8)",
            "Cint(9)",
        ),
        (
            "docstring edited",
            |t| replace_once(t, "Releases a handle from `mist_create`.", "Frees a handle from `mist_create`."),
            "Releases a handle from `mist_create`.",
            "Releases a handle",
            "Frees a handle",
        ),
    ];
    for (what, mutate, at, expected_text, found_text) in mutations {
        let mutated = mutate(&expected);
        assert_ne!(mutated, expected, "{what}: the mutation changed nothing");
        let message = compare_layer(&expected, &mutated).expect_err(&format!("{what}: the copy passes"));
        let line = line_of(&expected, at);
        let (expected_line, found_line) =
            (expected.lines().nth(line - 1).unwrap(), mutated.lines().nth(line - 1).unwrap());
        for needle in [
            format!("first difference at line {line}:"),
            format!("expected: |{expected_line}|"),
            format!("found:    |{found_line}|"),
            REGENERATE.to_string(),
        ] {
            assert!(message.contains(&needle), "{what}: the message lacks `{needle}`:\n{message}");
        }
        assert!(expected_line.contains(expected_text) && found_line.contains(found_text), "{what}:\n{message}");
        println!("julia_bindings: mutation '{what}' caught:\n{message}");
    }
    // A line added at the end of the file, and a line dropped there.
    let message = compare_layer(&expected, &format!("{expected}# more\n")).expect_err("an added line passes");
    assert!(
        message.contains(&format!("line {}:", expected.lines().count() + 1)) && message.contains("found:    |# more|"),
        "{message}"
    );
    let message = compare_layer(&expected, expected.trim_end()).expect_err("a dropped newline passes");
    assert!(message.contains("found:    (end of file)"), "{message}");
}

/// The hand-written parts of capi.jl are kept as they are, and the generated part needs both
/// markers, once each and in order.
#[test]
fn only_the_part_between_markers_is_generated() {
    let header = header();
    let edited = SKELETON.replacen("module LibMist\n", "# A comment by hand.\nmodule LibMist\n\nconst X = 1\n", 1);
    let rendered = render_capi(&edited, &header).expect("the markers are found");
    assert!(
        rendered.starts_with(&format!("# A comment by hand.\nmodule LibMist\n\nconst X = 1\n\n{BEGIN_MARKER}\n\n"))
    );
    assert!(rendered.ends_with(&format!("\n\n{END_MARKER}\n\nend # module LibMist\n")), "{rendered}");
    assert_eq!(render_capi(&rendered, &header).as_deref(), Ok(rendered.as_str()), "generating twice changes the file");
    let without_begin = SKELETON.replace(&format!("{BEGIN_MARKER}\n"), "");
    let message = render_capi(&without_begin, &header).expect_err("a file without the begin marker renders");
    assert!(message.contains(&format!("has no line `{BEGIN_MARKER}`")), "{message}");
    let without_end = SKELETON.replace(END_MARKER, "# the end");
    let message = render_capi(&without_end, &header).expect_err("a file without the end marker renders");
    assert!(message.contains(&format!("has no line `{END_MARKER}`")), "{message}");
    let swapped = format!("{END_MARKER}\n{BEGIN_MARKER}\n");
    let message = render_capi(&swapped, &header).expect_err("markers out of order render");
    assert!(message.contains("comes before"), "{message}");
    let twice = format!("{BEGIN_MARKER}\n{BEGIN_MARKER}\n{END_MARKER}\n");
    let message = render_capi(&twice, &header).expect_err("two begin markers render");
    assert!(message.contains("2 lines"), "{message}");
}

/// The generator follows the header: a new function, a changed argument type and a new enum value
/// appear in the generated text, and a C type outside the type map is an error naming it.
#[test]
fn generator_follows_the_header() {
    let raw = read(HEADER);
    let changed =
        replace_once(&raw, "  MIST_STATUS_PANIC = 99,\n", "  MIST_STATUS_PANIC = 99,\n  MIST_STATUS_NEW = 100,\n");
    let changed = replace_once(
        &changed,
        "const char *mist_version(void);",
        "const char *mist_version(void);\n\n/**\n * Says $hello\\n to `m`.\n *\n * # Safety\n * None.\n */\nint32_t \
         mist_hello(const struct MistMatrix *m, uint64_t n, bool *flag);",
    );
    let changed =
        replace_once(&changed, "size_t k,\n                         double *out_mi);", "int k,\n double *out_mi);");
    let header = parse_header(&changed).expect("the changed header parses");
    let generated = render_capi(SKELETON, &header).expect("the changed header generates");
    for needle in [
        "const MIST_STATUS_NEW = Cint(100)\n",
        "\"\"\"\n    mist_hello(m, n, flag) -> Int32\n\nSays \\$hello\\\\n to `m`.\n\n# Safety\nNone.\n\"\"\"\n\
         mist_hello(m, n, flag) = @ccall libmist().mist_hello(\n    m::Ptr{MistMatrix},\n    n::UInt64,\n    \
         flag::Ptr{Bool},\n)::Int32\n",
        "    k::Cint,\n    out_mi::Ptr{Cdouble},\n)::Cint\n",
    ] {
        assert!(generated.contains(needle), "the generated layer lacks\n{needle}");
    }
    assert!(compare_layer(&generated, &expected_capi(SKELETON)).is_err());
    let unmapped = replace_once(&raw, "const char *mist_version(void);", "long double mist_version(void);");
    let message =
        render_capi(SKELETON, &parse_header(&unmapped).expect("parses")).expect_err("an unmapped type generates");
    assert!(
        message.contains("mist_version, return type: the C type `long double` is not in the type map"),
        "{message}"
    );
}

/// The reader of capi.jl that checks the generated text is tested too: it must catch a changed
/// argument type, a dropped argument, a renamed symbol and two swapped struct fields.
#[test]
fn check_catches_mutations() {
    let original = expected_capi(SKELETON);
    type Mutation = fn(&str) -> String;
    let mutations: [(&str, Mutation, &[&str]); 4] = [
        (
            "argument type changed",
            |t| replace_once(t, "    k::Csize_t,\n", "    k::Cint,\n"),
            &["mist_ksg: argument 3 is `size_t k`", "`k::Csize_t`", "but `k::Cint`"],
        ),
        (
            "argument dropped",
            |t| replace_once(t, "    n_taus::Csize_t,\n", ""),
            &["mist_quantiles", "6 arguments", "but 5"],
        ),
        (
            "symbol renamed",
            |t| replace_once(t, "libmist().mist_max_dy(", "libmist().mist_max_dz("),
            &["mist_max_dy: declared", "mist_max_dz: called"],
        ),
        (
            "struct fields swapped",
            |t| replace_once(t, "    rows::Csize_t\n    cols::Csize_t\n", "    cols::Csize_t\n    rows::Csize_t\n"),
            &["struct MistMatrix: field 2 is `size_t rows`", "but `cols::Csize_t`", "field 3 is `size_t cols`"],
        ),
    ];
    for (what, mutate, expected) in mutations {
        let problems =
            check(&read(HEADER), &mutate(&original)).expect_err(&format!("the check passes a copy with {what}"));
        let report = problems.join("\n  ");
        for needle in expected {
            assert!(report.contains(needle), "{what}: no message mentions `{needle}`:\n  {report}");
        }
        println!("julia_bindings: mutation '{what}' caught:\n  {report}");
    }
}
