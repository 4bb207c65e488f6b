//! Ways to cut one input into pieces, derived from the input itself so that every run of
//! the same input cuts it the same way.

/// FNV-1a: a seed that changes with every byte of the input.
fn seed(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The input cut into pieces of 1 to 64 bytes, sizes drawn from a generator seeded by the
/// input (mostly small pieces, so that every kind of boundary falls inside a token).
pub(crate) fn uneven(data: &[u8]) -> Vec<&[u8]> {
    let mut state = seed(data) | 1;
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let limit = if state & 0x30 == 0 { 64 } else { 8 };
        let size = usize::try_from(state >> 40).unwrap_or(1) % limit + 1;
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        out.push(piece);
        rest = tail;
    }
    out
}

/// The input cut at one offset (also derived from the input), as two pieces.
pub(crate) fn halves(data: &[u8]) -> [&[u8]; 2] {
    let cut = if data.is_empty() {
        0
    } else {
        usize::try_from(seed(data) % data.len() as u64).unwrap_or(0)
    };
    let (a, b) = data.split_at(cut);
    [a, b]
}
