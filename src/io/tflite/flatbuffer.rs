//! A flatbuffer, read field by field with bounds checks: just what a
//! `.tflite` file needs, every read an error rather than a panic when the
//! file is short or inconsistent.

use std::string::String;
use std::vec::Vec;

use super::Error;

/// A flatbuffer, read field by field with bounds checks.
pub(super) struct Flatbuffer<'a>(pub(super) &'a [u8]);

impl Flatbuffer<'_> {
    fn read<const N: usize>(&self, at: usize, what: &'static str) -> Result<[u8; N], Error> {
        at.checked_add(N)
            .and_then(|end| self.0.get(at..end))
            .map(|bytes| bytes.try_into().expect("N bytes"))
            .ok_or(Error::Malformed { what, at })
    }

    fn u32(&self, at: usize, what: &'static str) -> Result<usize, Error> {
        Ok(u32::from_le_bytes(self.read(at, what)?) as usize)
    }

    /// The root table.
    pub(super) fn root(&self) -> Result<usize, Error> {
        self.u32(0, "the root table")
    }

    /// Where field `field` of the table at `table` lies, if present.
    fn field(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Option<usize>, Error> {
        let offset = i32::from_le_bytes(self.read(table, what)?);
        let vtable = (table as i64 - i64::from(offset))
            .try_into()
            .map_err(|_| Error::Malformed { what, at: table })?;
        let vtable_len = usize::from(u16::from_le_bytes(self.read(vtable, what)?));
        let slot = 4 + 2 * field;
        if slot + 2 > vtable_len {
            return Ok(None);
        }
        let at = usize::from(u16::from_le_bytes(self.read(vtable + slot, what)?));
        Ok((at != 0).then_some(table + at))
    }

    /// A scalar field's bytes.
    pub(super) fn scalar<const N: usize>(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Option<[u8; N]>, Error> {
        self.field(table, field, what)?.map(|at| self.read(at, what)).transpose()
    }

    /// Where an offset field points.
    fn target(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Option<usize>, Error> {
        match self.field(table, field, what)? {
            Some(at) => {
                Ok(Some(at.checked_add(self.u32(at, what)?).ok_or(Error::Malformed { what, at })?))
            }
            None => Ok(None),
        }
    }

    pub(super) fn table(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Option<usize>, Error> {
        self.target(table, field, what)
    }

    /// A vector field: its first element's position and its length, each
    /// element `width` bytes, all within the file.
    fn vector(
        &self,
        table: usize,
        field: usize,
        width: usize,
        what: &'static str,
    ) -> Result<(usize, usize), Error> {
        let Some(at) = self.target(table, field, what)? else { return Ok((0, 0)) };
        let len = self.u32(at, what)?;
        let start = at + 4;
        let end = len.checked_mul(width).and_then(|bytes| start.checked_add(bytes));
        match end {
            Some(end) if end <= self.0.len() => Ok((start, len)),
            _ => Err(Error::Malformed { what, at }),
        }
    }

    pub(super) fn bytes(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Option<&[u8]>, Error> {
        if self.field(table, field, what)?.is_none() {
            return Ok(None);
        }
        let (start, len) = self.vector(table, field, 1, what)?;
        Ok(Some(&self.0[start..start + len]))
    }

    pub(super) fn string(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Option<String>, Error> {
        Ok(self.bytes(table, field, what)?.map(|bytes| String::from_utf8_lossy(bytes).into_owned()))
    }

    fn elements<const N: usize, V>(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
        decode: impl Fn([u8; N]) -> V,
    ) -> Result<Vec<V>, Error> {
        let (start, len) = self.vector(table, field, N, what)?;
        (0..len).map(|i| Ok(decode(self.read(start + i * N, what)?))).collect()
    }

    pub(super) fn ints(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Vec<i32>, Error> {
        self.elements(table, field, what, i32::from_le_bytes)
    }

    pub(super) fn floats(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Vec<f32>, Error> {
        self.elements(table, field, what, f32::from_le_bytes)
    }

    pub(super) fn longs(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Vec<i64>, Error> {
        self.elements(table, field, what, i64::from_le_bytes)
    }

    /// A vector of tables: each element an offset from itself.
    pub(super) fn tables(
        &self,
        table: usize,
        field: usize,
        what: &'static str,
    ) -> Result<Vec<usize>, Error> {
        let (start, len) = self.vector(table, field, 4, what)?;
        (0..len)
            .map(|i| {
                let at = start + 4 * i;
                at.checked_add(self.u32(at, what)?).ok_or(Error::Malformed { what, at })
            })
            .collect()
    }

    /// The scalar fields of an options table, each of the width the schema
    /// gives it (1 or 4 bytes), as integers.
    pub(super) fn options(
        &self,
        table: usize,
        widths: &[usize],
    ) -> Result<Vec<Option<i64>>, Error> {
        let what = "an operator's options";
        (0..widths.len())
            .map(|field| {
                Ok(match widths[field] {
                    1 => self.scalar::<1>(table, field, what)?.map(|b| i64::from(b[0] as i8)),
                    _ => self
                        .scalar::<4>(table, field, what)?
                        .map(|b| i64::from(i32::from_le_bytes(b))),
                })
            })
            .collect()
    }
}
