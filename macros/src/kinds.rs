//! The built-in layer kinds, one entry each: how it is written (its
//! arguments, their defaults), its shape rule, and the runtime type it
//! becomes. A new kind is one more entry and its `build` function.

use std::collections::HashMap;
use std::fmt;

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{Error, Ident};

use crate::ast::{Arguments, Value};

/// A built-in kind of layer.
pub struct Kind {
    pub name: &'static str,
    /// How it is written, for messages.
    pub usage: &'static str,
    /// Its arguments, in the order they may be written without names.
    pub params: &'static [Param],
    /// Whether it has weights, drawn by an initializer.
    pub trainable: bool,
    /// Whether its arguments alone fix the shape it takes (`Dense<IN, _>`),
    /// so that it can follow a layer whose shapes only the compiler knows.
    pub input_from_arguments: bool,
    /// The shape rule: what the layer makes of its input.
    pub build: fn(&Layer) -> syn::Result<Built>,
}

/// One argument of a kind.
pub struct Param {
    pub name: &'static str,
    /// What the number counts, for messages: "inputs", "output channels".
    pub counts: &'static str,
    pub accepts: Accepts,
    pub default: Default,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    /// A size: an integer of at least 1.
    Size,
    /// A size, or a pair of sizes (rows, columns).
    SizeOrPair,
    /// An integer (0 allowed), a pair, or `same`.
    Padding,
}

#[derive(Clone, Copy)]
pub enum Default {
    Required,
    Value(Arg),
    /// The value of another argument (a pooling's stride is its window).
    SameAs(&'static str),
}

/// An argument's value, checked against what its parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    One(usize),
    Two(usize, usize),
    Same,
}

impl Arg {
    /// Along rows and columns.
    fn pair(self) -> (usize, usize) {
        match self {
            Arg::One(n) => (n, n),
            Arg::Two(rows, cols) => (rows, cols),
            Arg::Same => unreachable!("only padding is `same`"),
        }
    }
}

/// What the layer before produces, as a kind's shape rule sees it.
pub struct Incoming<'a> {
    pub shape: &'a [usize],
    /// "`pool1` produces" or "the input has".
    pub producer: &'a dyn fmt::Display,
    /// The shape a vector was flattened from, for messages: `(16 × 5 × 5)`.
    pub flattened_from: Option<&'a [usize]>,
}

/// A layer of a built-in kind, with its arguments read.
pub struct Layer<'a> {
    pub name: &'a Ident,
    pub kind: &'static Kind,
    pub span: Span,
    args: HashMap<&'static str, (Arg, Span)>,
    /// `None` for the first layer, when no `input: [...]` line came before.
    pub incoming: Option<Incoming<'a>>,
}

/// What a kind's shape rule makes of a layer.
pub struct Built {
    /// The runtime type, generic in `T`.
    pub ty: TokenStream,
    /// The shape it takes (for a first layer, the network's input).
    pub input: Vec<usize>,
    pub output: Vec<usize>,
    /// The field's doc comment when the user wrote none.
    pub doc: String,
}

pub const KINDS: &[Kind] = &[
    Kind {
        name: "Dense",
        usage: "`Dense<IN, OUT>`, e.g. `Dense<2, 3>`",
        params: &[size("IN", "inputs"), size("OUT", "outputs")],
        trainable: true,
        input_from_arguments: true,
        build: dense,
    },
    Kind {
        name: "Conv2d",
        usage: "`Conv2d<IN_CHANNELS, OUT_CHANNELS, KERNEL, stride = 1, padding = 0>`, \
                e.g. `Conv2d<1, 6, 5, padding = 2>` or `Conv2d<3, 8, (3, 5), padding = same>`",
        params: &[
            size("IN_CHANNELS", "input channels"),
            size("OUT_CHANNELS", "output channels"),
            window("KERNEL", Default::Required),
            window("stride", Default::Value(Arg::One(1))),
            padding(),
        ],
        trainable: true,
        input_from_arguments: false,
        build: conv2d,
    },
    Kind {
        name: "DepthwiseConv2d",
        usage: "`DepthwiseConv2d<CHANNELS, KERNEL, stride = 1, padding = 0>`, \
                e.g. `DepthwiseConv2d<8, 3, padding = 1>`",
        params: &[
            size("CHANNELS", "channels"),
            window("KERNEL", Default::Required),
            window("stride", Default::Value(Arg::One(1))),
            padding(),
        ],
        trainable: true,
        input_from_arguments: false,
        build: depthwise_conv2d,
    },
    Kind {
        name: "Conv1d",
        usage: "`Conv1d<IN_CHANNELS, OUT_CHANNELS, KERNEL, stride = 1, padding = 0>`, \
                e.g. `Conv1d<3, 8, 5, padding = 2>`",
        params: &[
            size("IN_CHANNELS", "input channels"),
            size("OUT_CHANNELS", "output channels"),
            size("KERNEL", "kernel"),
            size_with_default("stride", Default::Value(Arg::One(1))),
            padding(),
        ],
        trainable: true,
        input_from_arguments: false,
        build: conv1d,
    },
    Kind {
        name: "MaxPool2d",
        usage: "`MaxPool2d<WINDOW, stride = WINDOW>`, e.g. `MaxPool2d<2>`",
        params: &[window("WINDOW", Default::Required), window("stride", Default::SameAs("WINDOW"))],
        trainable: false,
        input_from_arguments: false,
        build: pool2d,
    },
    Kind {
        name: "AvgPool2d",
        usage: "`AvgPool2d<WINDOW, stride = WINDOW>`, e.g. `AvgPool2d<2>`",
        params: &[window("WINDOW", Default::Required), window("stride", Default::SameAs("WINDOW"))],
        trainable: false,
        input_from_arguments: false,
        build: pool2d,
    },
    Kind {
        name: "MaxPool1d",
        usage: "`MaxPool1d<WINDOW, stride = WINDOW>`, e.g. `MaxPool1d<2>`",
        params: &[size("WINDOW", "window"), size_with_default("stride", Default::SameAs("WINDOW"))],
        trainable: false,
        input_from_arguments: false,
        build: pool1d,
    },
    Kind {
        name: "AvgPool1d",
        usage: "`AvgPool1d<WINDOW, stride = WINDOW>`, e.g. `AvgPool1d<2>`",
        params: &[size("WINDOW", "window"), size_with_default("stride", Default::SameAs("WINDOW"))],
        trainable: false,
        input_from_arguments: false,
        build: pool1d,
    },
    Kind {
        name: "GlobalAvgPool",
        usage: "`GlobalAvgPool`, with no arguments",
        params: &[],
        trainable: false,
        input_from_arguments: false,
        build: global_avg_pool,
    },
    Kind {
        name: "Flatten",
        usage: "`Flatten`, with no arguments",
        params: &[],
        trainable: false,
        input_from_arguments: false,
        build: flatten,
    },
];

const fn size(name: &'static str, counts: &'static str) -> Param {
    Param { name, counts, accepts: Accepts::Size, default: Default::Required }
}

const fn size_with_default(name: &'static str, default: Default) -> Param {
    Param { name, counts: name, accepts: Accepts::Size, default }
}

const fn window(name: &'static str, default: Default) -> Param {
    Param { name, counts: name, accepts: Accepts::SizeOrPair, default }
}

const fn padding() -> Param {
    Param {
        name: "padding",
        counts: "padding",
        accepts: Accepts::Padding,
        default: Default::Value(Arg::One(0)),
    }
}

/// The built-in kind called `name`, if there is one.
pub fn find(name: &Ident) -> Option<&'static Kind> {
    KINDS.iter().find(|kind| name == kind.name)
}

impl<'a> Layer<'a> {
    /// Reads the arguments written after the kind's name.
    pub fn new(
        name: &'a Ident,
        kind: &'static Kind,
        span: Span,
        arguments: Option<&Arguments>,
        incoming: Option<Incoming<'a>>,
    ) -> syn::Result<Self> {
        let usage = || format!("`{name}`: {} is written {}", kind.name, kind.usage);
        let mut args = HashMap::new();
        let list = arguments.map_or(&[][..], |arguments| &arguments.list);
        let mut positional = kind.params.iter();
        let mut named_seen = false;
        for argument in list {
            let param = match &argument.name {
                Some(written) => {
                    named_seen = true;
                    kind.params.iter().find(|param| written == param.name).ok_or_else(|| {
                        let names: Vec<_> =
                            kind.params.iter().map(|param| format!("`{}`", param.name)).collect();
                        Error::new(
                            written.span(),
                            format!(
                                "{} has no argument `{written}`; its arguments are {}",
                                kind.name,
                                names.join(", ")
                            ),
                        )
                    })?
                }
                None if named_seen => {
                    return Err(Error::new(
                        argument.span(),
                        format!("{}: arguments written by name come last", usage()),
                    ));
                }
                None => positional.next().ok_or_else(|| Error::new(argument.span(), usage()))?,
            };
            let value = read(name, param, &argument.value, &usage)?;
            if args.insert(param.name, (value, argument.span())).is_some() {
                return Err(Error::new(
                    argument.span(),
                    format!("`{}` is given twice", param.name),
                ));
            }
        }
        for param in kind.params {
            if args.contains_key(param.name) {
                continue;
            }
            let value = match param.default {
                Default::Required => {
                    let at = arguments.map_or(span, |arguments| arguments.span);
                    return Err(Error::new(at, usage()));
                }
                Default::Value(value) => (value, span),
                Default::SameAs(other) => args[other],
            };
            args.insert(param.name, value);
        }
        Ok(Layer { name, kind, span, args, incoming })
    }

    fn arg(&self, name: &str) -> Arg {
        self.args[name].0
    }

    fn span_of(&self, name: &str) -> Span {
        self.args[name].1
    }

    fn size(&self, name: &str) -> usize {
        match self.arg(name) {
            Arg::One(n) => n,
            other => unreachable!("a size is one number, found {other:?}"),
        }
    }

    /// The incoming shape, which must have `rank` dimensions (`what` they
    /// are, for the message).
    fn incoming(&self, rank: usize, what: &str) -> syn::Result<&[usize]> {
        let Some(incoming) = &self.incoming else {
            let example = match rank {
                2 => "`input: [3, 128],` for 3 channels of 128 values",
                _ => "`input: [1, 28, 28],` for one channel of 28 × 28",
            };
            return Err(Error::new(
                self.span,
                format!(
                    "`{}` cannot tell the size of its input: declare the input's shape first, \
                     e.g. {example}",
                    self.name
                ),
            ));
        };
        if incoming.shape.len() != rank {
            return Err(Error::new(
                self.span,
                format!(
                    "`{}` takes {what} but {} {}",
                    self.name,
                    incoming.producer,
                    Shape(incoming.shape)
                ),
            ));
        }
        Ok(incoming.shape)
    }

    /// An error when the incoming channels are not the `expected` ones.
    fn check_channels(&self, param: &str, expected: usize, found: usize) -> syn::Result<()> {
        if expected == found {
            return Ok(());
        }
        let producer = &self.incoming.as_ref().expect("a shape came in").producer;
        Err(Error::new(
            self.span_of(param),
            format!(
                "`{}` expects {expected} input channels but {producer} {found} channels",
                self.name
            ),
        ))
    }

    /// One axis of a window: its output size and padding before, or an
    /// error when the window does not fit.
    fn axis(
        &self,
        input: usize,
        kernel: usize,
        stride: usize,
        padding: Arg,
        along: Along,
    ) -> syn::Result<(usize, usize)> {
        let padding = match padding {
            Arg::Same => return Ok(same(input, kernel, stride)),
            Arg::One(p) | Arg::Two(p, _) if along == Along::Rows => p,
            Arg::One(p) | Arg::Two(_, p) => p,
        };
        match output_len(input, kernel, stride, padding) {
            Some(output) => Ok((padding, output)),
            None => Err(Error::new(
                self.span,
                format!(
                    "the {} of `{}` ({kernel}) is larger than its input's {} ({input}{})",
                    if self.kind.trainable { "kernel" } else { "window" },
                    self.name,
                    along.dimension(),
                    if padding > 0 {
                        format!(" + 2 × {padding} of padding")
                    } else {
                        String::new()
                    }
                ),
            )),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Along {
    Rows,
    Cols,
    Length,
}

impl Along {
    fn dimension(self) -> &'static str {
        match self {
            Along::Rows => "height",
            Along::Cols => "width",
            Along::Length => "length",
        }
    }
}

/// PyTorch's rule: `⌊(input + 2·padding − kernel) / stride⌋ + 1`; `None`
/// when the kernel is larger than the padded input. The runtime checks the
/// same formula again at compile time (`constnet::layer::Axis`).
fn output_len(input: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    let padded = input + 2 * padding;
    (kernel <= padded).then(|| (padded - kernel) / stride + 1)
}

/// TensorFlow's `"same"`: `⌈input / stride⌉` outputs, the zeros split
/// evenly, the odd one at the end. `(padding before, output)`.
fn same(input: usize, kernel: usize, stride: usize) -> (usize, usize) {
    let output = input.div_ceil(stride);
    let total = ((output - 1) * stride + kernel).saturating_sub(input);
    (total / 2, output)
}

/// Reads one argument as its parameter accepts it.
fn read(
    layer: &Ident,
    param: &Param,
    value: &Value,
    usage: &dyn Fn() -> String,
) -> syn::Result<Arg> {
    let expected = match param.accepts {
        Accepts::Size => "an integer, e.g. `3`",
        Accepts::SizeOrPair => {
            "an integer or a pair of integers (rows, columns), e.g. `3` or `(3, 5)`"
        }
        Accepts::Padding => "an integer, a pair of integers (rows, columns) or `same`",
    };
    let zero_allowed = param.accepts == Accepts::Padding;
    let number = |int: &syn::LitInt| -> syn::Result<usize> {
        if !int.suffix().is_empty() && int.suffix() != "usize" {
            return Err(Error::new(int.span(), "a size is a plain integer, e.g. `3`"));
        }
        let value: usize = int.base10_parse()?;
        if value == 0 && !zero_allowed {
            let what = match param.accepts {
                Accepts::Size if param.counts != param.name => format!("has 0 {}", param.counts),
                _ => format!("has a {} of 0", param.counts.to_lowercase()),
            };
            return Err(Error::new(
                int.span(),
                format!("`{layer}` {what}; every size must be at least 1"),
            ));
        }
        Ok(value)
    };
    match (value, param.accepts) {
        (Value::Int(int), _) => Ok(Arg::One(number(int)?)),
        (Value::Pair { first, second, .. }, Accepts::SizeOrPair | Accepts::Padding) => {
            Ok(Arg::Two(number(first)?, number(second)?))
        }
        (Value::Word(word), Accepts::Padding) if word == "same" => Ok(Arg::Same),
        (other, _) => {
            Err(Error::new(other.span(), format!("`{}` is {expected}; {}", param.name, usage())))
        }
    }
}

/// A shape as the messages and the summary write it: `[6, 14, 14]`.
pub struct Shape<'a>(pub &'a [usize]);

impl fmt::Display for Shape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<_> = self.0.iter().map(usize::to_string).collect();
        write!(f, "[{}]", dims.join(", "))
    }
}

/// `(16 × 5 × 5)`.
struct Product<'a>(&'a [usize]);

impl fmt::Display for Product<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<_> = self.0.iter().map(usize::to_string).collect();
        write!(f, "({})", dims.join(" × "))
    }
}

fn literal(n: usize) -> TokenStream {
    Literal::usize_unsuffixed(n).into_token_stream()
}

fn literals<const N: usize>(values: [usize; N]) -> [TokenStream; N] {
    values.map(literal)
}

fn dense(layer: &Layer) -> syn::Result<Built> {
    let (inputs, outputs) = (layer.size("IN"), layer.size("OUT"));
    if let Some(incoming) = &layer.incoming {
        match incoming.shape {
            [n] if *n == inputs => {}
            [n] => {
                let from = incoming.flattened_from.map(|dims| format!(" {}", Product(dims)));
                return Err(Error::new(
                    layer.span_of("IN"),
                    format!(
                        "`{}` expects {inputs} inputs but {} {n}{}",
                        layer.name,
                        incoming.producer,
                        from.unwrap_or_default()
                    ),
                ));
            }
            shape => {
                return Err(Error::new(
                    layer.span,
                    format!(
                        "`{}` takes a vector but {} {}: put a `Flatten` layer before it, \
                         e.g. `flatten: Flatten`",
                        layer.name,
                        incoming.producer,
                        Shape(shape)
                    ),
                ));
            }
        }
    }
    let [i, o] = literals([inputs, outputs]);
    Ok(Built {
        ty: quote!(::constnet::layer::Dense<T, #i, #o>),
        input: vec![inputs],
        output: vec![outputs],
        doc: format!(" Dense layer, {inputs} → {outputs}."),
    })
}

/// `5×5 kernel, stride 2, padding (1, 0)`, for a field's doc comment.
fn window_doc(
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: Option<(usize, usize)>,
) -> String {
    let pair = |(a, b): (usize, usize)| if a == b { a.to_string() } else { format!("({a}, {b})") };
    let mut doc = format!("{}×{} kernel, stride {}", kernel.0, kernel.1, pair(stride));
    if let Some(padding) = padding {
        doc += &format!(", padding {}", pair(padding));
    }
    doc
}

/// The output of a 2-D window over `[_, h, w]`, its padding and the doc
/// of its geometry.
struct Window2d {
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: (usize, usize),
    output: (usize, usize),
}

impl Layer<'_> {
    fn window2d(
        &self,
        kernel: &str,
        padding: Arg,
        (h, w): (usize, usize),
    ) -> syn::Result<Window2d> {
        let ((kh, kw), (sh, sw)) = (self.arg(kernel).pair(), self.arg("stride").pair());
        let (ph, oh) = self.axis(h, kh, sh, padding, Along::Rows)?;
        let (pw, ow) = self.axis(w, kw, sw, padding, Along::Cols)?;
        Ok(Window2d { kernel: (kh, kw), stride: (sh, sw), padding: (ph, pw), output: (oh, ow) })
    }
}

fn conv2d(layer: &Layer) -> syn::Result<Built> {
    let (cin, cout) = (layer.size("IN_CHANNELS"), layer.size("OUT_CHANNELS"));
    let &[c, h, w] = layer.incoming(3, "channels × height × width")? else { unreachable!() };
    layer.check_channels("IN_CHANNELS", cin, c)?;
    let window = layer.window2d("KERNEL", layer.arg("padding"), (h, w))?;
    let Window2d { kernel: (kh, kw), stride: (sh, sw), padding: (ph, pw), output: (oh, ow) } =
        window;
    let [cin_, cout_, kh_, kw_, h_, w_, sh_, sw_, ph_, pw_, oh_, ow_] =
        literals([cin, cout, kh, kw, h, w, sh, sw, ph, pw, oh, ow]);
    Ok(Built {
        ty: quote!(::constnet::layer::Conv2d<T, #cin_, #cout_, #kh_, #kw_, #h_, #w_, #sh_, #sw_, #ph_, #pw_, #oh_, #ow_>),
        input: vec![c, h, w],
        output: vec![cout, oh, ow],
        doc: format!(
            " 2-D convolution, {cin} → {cout} channels, {}: {} → {}.",
            window_doc((kh, kw), (sh, sw), Some((ph, pw))),
            Shape(&[c, h, w]),
            Shape(&[cout, oh, ow])
        ),
    })
}

fn depthwise_conv2d(layer: &Layer) -> syn::Result<Built> {
    let channels = layer.size("CHANNELS");
    let &[c, h, w] = layer.incoming(3, "channels × height × width")? else { unreachable!() };
    layer.check_channels("CHANNELS", channels, c)?;
    let window = layer.window2d("KERNEL", layer.arg("padding"), (h, w))?;
    let Window2d { kernel: (kh, kw), stride: (sh, sw), padding: (ph, pw), output: (oh, ow) } =
        window;
    let [c_, kh_, kw_, h_, w_, sh_, sw_, ph_, pw_, oh_, ow_] =
        literals([c, kh, kw, h, w, sh, sw, ph, pw, oh, ow]);
    Ok(Built {
        ty: quote!(::constnet::layer::DepthwiseConv2d<T, #c_, #kh_, #kw_, #h_, #w_, #sh_, #sw_, #ph_, #pw_, #oh_, #ow_>),
        input: vec![c, h, w],
        output: vec![c, oh, ow],
        doc: format!(
            " Depthwise 2-D convolution of {c} channels, {}: {} → {}.",
            window_doc((kh, kw), (sh, sw), Some((ph, pw))),
            Shape(&[c, h, w]),
            Shape(&[c, oh, ow])
        ),
    })
}

fn conv1d(layer: &Layer) -> syn::Result<Built> {
    let (cin, cout) = (layer.size("IN_CHANNELS"), layer.size("OUT_CHANNELS"));
    let &[c, l] = layer.incoming(2, "channels × length")? else { unreachable!() };
    layer.check_channels("IN_CHANNELS", cin, c)?;
    let (k, s) = (layer.size("KERNEL"), layer.size("stride"));
    let padding = match layer.arg("padding") {
        Arg::Two(..) => {
            return Err(Error::new(
                layer.span_of("padding"),
                "a 1-D convolution's padding is one integer or `same`",
            ));
        }
        padding => padding,
    };
    let (p, ol) = layer.axis(l, k, s, padding, Along::Length)?;
    let [cin_, cout_, k_, l_, s_, p_, ol_] = literals([cin, cout, k, l, s, p, ol]);
    Ok(Built {
        ty: quote!(::constnet::layer::Conv1d<T, #cin_, #cout_, #k_, #l_, #s_, #p_, #ol_>),
        input: vec![c, l],
        output: vec![cout, ol],
        doc: format!(
            " 1-D convolution, {cin} → {cout} channels, kernel {k}, stride {s}, padding {p}: {} → {}.",
            Shape(&[c, l]),
            Shape(&[cout, ol])
        ),
    })
}

fn pool2d(layer: &Layer) -> syn::Result<Built> {
    let &[c, h, w] = layer.incoming(3, "channels × height × width")? else { unreachable!() };
    let window = layer.window2d("WINDOW", Arg::One(0), (h, w))?;
    let Window2d { kernel: (kh, kw), stride: (sh, sw), output: (oh, ow), .. } = window;
    let name = Ident::new(layer.kind.name, Span::call_site());
    let [c_, kh_, kw_, h_, w_, sh_, sw_, oh_, ow_] = literals([c, kh, kw, h, w, sh, sw, oh, ow]);
    let reduces = if layer.kind.name.starts_with("Max") { "Max" } else { "Average" };
    Ok(Built {
        ty: quote!(::constnet::layer::#name<T, #c_, #kh_, #kw_, #h_, #w_, #sh_, #sw_, #oh_, #ow_>),
        input: vec![c, h, w],
        output: vec![c, oh, ow],
        doc: format!(
            " {reduces} pooling, {}×{} window, stride {}: {} → {}.",
            kh,
            kw,
            if sh == sw { sh.to_string() } else { format!("({sh}, {sw})") },
            Shape(&[c, h, w]),
            Shape(&[c, oh, ow])
        ),
    })
}

fn pool1d(layer: &Layer) -> syn::Result<Built> {
    let &[c, l] = layer.incoming(2, "channels × length")? else { unreachable!() };
    let (k, s) = (layer.size("WINDOW"), layer.size("stride"));
    let (_, ol) = layer.axis(l, k, s, Arg::One(0), Along::Length)?;
    let name = Ident::new(layer.kind.name, Span::call_site());
    let [c_, k_, l_, s_, ol_] = literals([c, k, l, s, ol]);
    let reduces = if layer.kind.name.starts_with("Max") { "Max" } else { "Average" };
    Ok(Built {
        ty: quote!(::constnet::layer::#name<T, #c_, #k_, #l_, #s_, #ol_>),
        input: vec![c, l],
        output: vec![c, ol],
        doc: format!(
            " {reduces} pooling, window {k}, stride {s}: {} → {}.",
            Shape(&[c, l]),
            Shape(&[c, ol])
        ),
    })
}

fn global_avg_pool(layer: &Layer) -> syn::Result<Built> {
    let shape = layer.incoming_any("channels × length or channels × height × width", &[2, 3])?;
    let (c, plane) = (shape[0], &shape[1..]);
    let plane_type = array_type(plane);
    let c_ = literal(c);
    Ok(Built {
        ty: quote!(::constnet::layer::GlobalAvgPool<#plane_type, #c_>),
        input: shape.to_vec(),
        output: vec![c],
        doc: format!(" The mean of each channel: {} → [{c}].", Shape(shape)),
    })
}

fn flatten(layer: &Layer) -> syn::Result<Built> {
    let shape = layer.incoming_any("channels × length or channels × height × width", &[2, 3])?;
    let n: usize = shape.iter().product();
    let (input_type, n_) = (array_type(shape), literal(n));
    Ok(Built {
        ty: quote!(::constnet::layer::Flatten<#input_type, #n_>),
        input: shape.to_vec(),
        output: vec![n],
        doc: format!(" Flattened, row-major: {} → [{n}].", Shape(shape)),
    })
}

impl Layer<'_> {
    /// The incoming shape, which must have one of the `ranks`.
    fn incoming_any(&self, what: &str, ranks: &[usize]) -> syn::Result<&[usize]> {
        let rank = self.incoming.as_ref().map_or(ranks[ranks.len() - 1], |i| i.shape.len());
        self.incoming(if ranks.contains(&rank) { rank } else { ranks[0] }, what)
    }
}

/// `[[T; W]; H]` for the shape `[H, W]`.
pub fn array_type(shape: &[usize]) -> TokenStream {
    array_of(shape, quote!(T))
}

/// `[[scalar; W]; H]` for the shape `[H, W]`.
pub fn array_of(shape: &[usize], scalar: TokenStream) -> TokenStream {
    shape.iter().rev().fold(scalar, |inner, &dim| {
        let dim = literal(dim);
        quote!([#inner; #dim])
    })
}
