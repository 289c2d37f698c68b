//! The kernel composer: a variant's WGSL is its parts concatenated in order, and nothing else.
//!
//! Composition is plain concatenation so that what naga validates is exactly what the driver
//! gets. The composer remembers where each file starts, so a line in the composed text maps
//! back to a file and a line in `wgsl/` for error messages.

/// One WGSL file of `wgsl/`, compiled into the binary.
#[derive(Debug)]
pub struct WgslFile {
    /// Path relative to the repository root, e.g. `wgsl/add.wgsl`.
    pub path: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// A composed shader: the concatenated text and where each file landed in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposedSource {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    path: &'static str,
    /// 1-based line of the composed text where this file's first line is.
    first_line: u32,
    /// Lines this file occupies (a final line without newline counts as one).
    lines: u32,
}

/// A position in one of the source files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLine {
    /// The file's path, as in [`WgslFile::path`].
    pub path: &'static str,
    /// 1-based line within that file.
    pub line: u32,
}

/// Concatenates `files` in order, each ending with a newline.
pub fn compose(files: &[&WgslFile]) -> ComposedSource {
    let mut text = String::new();
    let mut segments = Vec::with_capacity(files.len());
    let mut next_line = 1u32;
    for file in files {
        let lines = u32::try_from(file.text.lines().count()).unwrap_or(u32::MAX);
        segments.push(Segment {
            path: file.path,
            first_line: next_line,
            lines,
        });
        text.push_str(file.text);
        if !file.text.ends_with('\n') {
            text.push('\n');
        }
        next_line = next_line.saturating_add(lines);
    }
    ComposedSource { text, segments }
}

impl ComposedSource {
    /// The WGSL handed to naga and to the driver.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Maps a 1-based line of the composed text back to its file and line.
    pub fn locate(&self, line: u32) -> Option<FileLine> {
        self.segments
            .iter()
            .find(|s| line >= s.first_line && line < s.first_line + s.lines)
            .map(|s| FileLine {
                path: s.path,
                line: line - s.first_line + 1,
            })
    }

    /// The path of the last file, the kernel itself (parts come first).
    pub fn main_path(&self) -> &'static str {
        self.segments.last().map_or("<empty>", |s| s.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static PART: WgslFile = WgslFile {
        path: "wgsl/parts/p.wgsl",
        text: "const A = 1;\nconst B = 2;\n",
    };
    static MAIN: WgslFile = WgslFile {
        path: "wgsl/k.wgsl",
        text: "fn f() {}\n\nfn g() {}",
    };

    #[test]
    fn concatenates_in_order_with_newlines() {
        let c = compose(&[&PART, &MAIN]);
        assert_eq!(
            c.text(),
            "const A = 1;\nconst B = 2;\nfn f() {}\n\nfn g() {}\n"
        );
        assert_eq!(c.main_path(), "wgsl/k.wgsl");
    }

    #[test]
    fn lines_map_back_to_their_files() {
        let c = compose(&[&PART, &MAIN]);
        let at = |line| c.locate(line).map(|l| (l.path, l.line));
        assert_eq!(at(1), Some(("wgsl/parts/p.wgsl", 1)));
        assert_eq!(at(2), Some(("wgsl/parts/p.wgsl", 2)));
        assert_eq!(at(3), Some(("wgsl/k.wgsl", 1)));
        assert_eq!(at(5), Some(("wgsl/k.wgsl", 3)));
        assert_eq!(at(6), None);
        assert_eq!(at(0), None);
    }

    #[test]
    fn a_single_file_is_itself() {
        let c = compose(&[&MAIN]);
        assert_eq!(c.text(), "fn f() {}\n\nfn g() {}\n");
        assert_eq!(c.locate(3).map(|l| l.line), Some(3));
    }
}
