//! A bounds-checked little-endian reader over the file's bytes that knows its offset, so every
//! error can say where it happened. Nothing here can panic or over-allocate: every length and
//! count is checked against the bytes that are left before anything is allocated.

use super::error::{GgufError, GgufErrorKind};
use super::value::{Array, Value, ValueType};
use std::path::Path;

/// Deepest array nesting accepted (real files use 1; the spec allows any).
pub const MAX_NESTING: usize = 8;

pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8], path: &'a Path) -> Self {
        Self {
            bytes,
            pos: 0,
            path,
        }
    }

    pub fn pos(&self) -> u64 {
        self.pos as u64
    }

    pub fn remaining(&self) -> u64 {
        (self.bytes.len() - self.pos) as u64
    }

    pub fn error_at(&self, offset: u64, item: &str, kind: GgufErrorKind) -> GgufError {
        GgufError {
            path: self.path.to_path_buf(),
            item: item.to_owned(),
            offset,
            kind,
        }
    }

    pub fn error(&self, item: &str, kind: GgufErrorKind) -> GgufError {
        self.error_at(self.pos(), item, kind)
    }

    pub fn take(&mut self, n: u64, item: &str) -> Result<&'a [u8], GgufError> {
        let available = self.remaining();
        if n > available {
            return Err(self.error(
                item,
                GgufErrorKind::Truncated {
                    needed: n,
                    available,
                },
            ));
        }
        let start = self.pos;
        // n <= remaining <= usize::MAX, so the cast and the addition are exact.
        self.pos += n as usize;
        Ok(&self.bytes[start..self.pos])
    }

    fn array<const N: usize>(&mut self, item: &str) -> Result<[u8; N], GgufError> {
        let bytes = self.take(N as u64, item)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub fn u8(&mut self, item: &str) -> Result<u8, GgufError> {
        Ok(self.array::<1>(item)?[0])
    }

    pub fn u32(&mut self, item: &str) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.array(item)?))
    }

    pub fn u64(&mut self, item: &str) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.array(item)?))
    }

    pub fn magic(&mut self) -> Result<[u8; 4], GgufError> {
        self.array("header magic")
    }

    pub fn string(&mut self, item: &str) -> Result<String, GgufError> {
        let start = self.pos();
        let len = self.u64(item)?;
        let bytes = self.take(len, item)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| self.error_at(start, item, GgufErrorKind::InvalidUtf8))
    }

    /// Refuses a count of items that cannot fit in what is left of the file.
    pub fn check_count(
        &self,
        what: &'static str,
        count: u64,
        min_each: u64,
        item: &str,
    ) -> Result<(), GgufError> {
        let available = self.remaining();
        let max = available / min_each.max(1);
        if count > max {
            return Err(self.error(
                item,
                GgufErrorKind::AbsurdCount {
                    what,
                    count,
                    available,
                    max,
                },
            ));
        }
        Ok(())
    }

    pub fn value_type(&mut self, item: &str) -> Result<ValueType, GgufError> {
        let start = self.pos();
        let tag = self.u32(item)?;
        ValueType::from_tag(tag)
            .ok_or_else(|| self.error_at(start, item, GgufErrorKind::UnknownValueType(tag)))
    }

    pub fn value(&mut self, ty: ValueType, item: &str, depth: usize) -> Result<Value, GgufError> {
        Ok(match ty {
            ValueType::U8 => Value::U8(self.u8(item)?),
            ValueType::I8 => Value::I8(i8::from_le_bytes(self.array(item)?)),
            ValueType::U16 => Value::U16(u16::from_le_bytes(self.array(item)?)),
            ValueType::I16 => Value::I16(i16::from_le_bytes(self.array(item)?)),
            ValueType::U32 => Value::U32(self.u32(item)?),
            ValueType::I32 => Value::I32(i32::from_le_bytes(self.array(item)?)),
            ValueType::F32 => Value::F32(f32::from_le_bytes(self.array(item)?)),
            ValueType::Bool => Value::Bool(self.u8(item)? != 0),
            ValueType::String => Value::String(self.string(item)?),
            ValueType::Array => Value::Array(self.array_value(item, depth)?),
            ValueType::U64 => Value::U64(self.u64(item)?),
            ValueType::I64 => Value::I64(i64::from_le_bytes(self.array(item)?)),
            ValueType::F64 => Value::F64(f64::from_le_bytes(self.array(item)?)),
        })
    }

    fn array_value(&mut self, item: &str, depth: usize) -> Result<Array, GgufError> {
        if depth >= MAX_NESTING {
            return Err(self.error(item, GgufErrorKind::NestingTooDeep(MAX_NESTING)));
        }
        let ty = self.value_type(item)?;
        let count = self.u64(item)?;
        self.check_count("array element", count, ty.min_encoded_len(), item)?;
        // check_count bounds count by the bytes left, so it fits a usize.
        let n = count as usize;
        macro_rules! collect {
            ($variant:ident, $read:expr) => {{
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push($read(&mut *self)?);
                }
                Array::$variant(v)
            }};
        }
        Ok(match ty {
            ValueType::U8 => Array::U8(self.take(count, item)?.to_vec()),
            ValueType::I8 => Array::I8(self.take(count, item)?.iter().map(|&b| b as i8).collect()),
            ValueType::U16 => collect!(U16, |c: &mut Self| c.array(item).map(u16::from_le_bytes)),
            ValueType::I16 => collect!(I16, |c: &mut Self| c.array(item).map(i16::from_le_bytes)),
            ValueType::U32 => collect!(U32, |c: &mut Self| c.u32(item)),
            ValueType::I32 => collect!(I32, |c: &mut Self| c.array(item).map(i32::from_le_bytes)),
            ValueType::F32 => collect!(F32, |c: &mut Self| c.array(item).map(f32::from_le_bytes)),
            ValueType::Bool => {
                Array::Bool(self.take(count, item)?.iter().map(|&b| b != 0).collect())
            }
            ValueType::String => collect!(String, |c: &mut Self| c.string(item)),
            ValueType::Array => collect!(Array, |c: &mut Self| c.array_value(item, depth + 1)),
            ValueType::U64 => collect!(U64, |c: &mut Self| c.u64(item)),
            ValueType::I64 => collect!(I64, |c: &mut Self| c.array(item).map(i64::from_le_bytes)),
            ValueType::F64 => collect!(F64, |c: &mut Self| c.array(item).map(f64::from_le_bytes)),
        })
    }
}
