//! Gives the parsed block its meaning: which layer is which, every shape,
//! and an error at the right place, in plain words, for anything that is
//! wrong.

use std::collections::HashSet;
use std::fmt;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::token::Paren;
use syn::{Attribute, Error, Expr, Ident, Type};

use crate::ast::{Dims, LayerSyntax, LayerType, Network};
use crate::kinds::{self, Incoming, Shape as Shown};

/// A network whose layers are known and whose shapes fit together.
pub struct Checked<'a> {
    pub network: &'a Network,
    /// `f32` or `f64`: the default of the network's type parameter.
    pub scalar: &'a Ident,
    pub layers: Vec<Layer<'a>>,
    pub input: Shape<'a>,
    pub output: Shape<'a>,
    /// Whether the user derives `Default`, which then need not be generated.
    pub derives_default: bool,
}

pub struct Layer<'a> {
    /// The struct field (named layers) or trace field holding it.
    pub field: Ident,
    pub attrs: &'a [Attribute],
    pub kind: Kind<'a>,
    /// What the layer produces.
    pub output: Shape<'a>,
    /// Set when only the compiler can tell whether this layer takes what
    /// the previous one produces (a layer of another type on either side).
    pub input_check: Option<Assertion<'a>>,
    /// Set when only the compiler can tell whether a layer of another type
    /// produces the shape written after its `->`.
    pub output_check: Option<Assertion<'a>>,
    /// Whether the value coming in is converted to the type this layer
    /// takes: where only the compiler knows one of the two shapes, so that
    /// a mismatch stops at the assertion instead of also failing every call.
    pub converts_input: bool,
}

pub enum Kind<'a> {
    /// A layer of a built-in kind: its runtime type (generic in `T`), the
    /// initializer of its weights if it has any, and its field's default doc.
    Builtin {
        kind: &'static kinds::Kind,
        ty: TokenStream,
        init: Init<'a>,
        doc: String,
    },
    /// A network declared with `network!`, or any other type implementing
    /// `Layer`: only the compiler knows its shapes.
    External {
        ty: &'a LayerType,
    },
    Activation {
        activation: Activation,
        slope: Option<Expr>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    Relu6,
    LeakyRelu,
    Softmax,
}

impl Activation {
    fn from_name(name: &Ident) -> Option<Self> {
        Some(match name.to_string().as_str() {
            "Identity" => Activation::Identity,
            "Sigmoid" => Activation::Sigmoid,
            "Tanh" => Activation::Tanh,
            "Relu" => Activation::Relu,
            "Relu6" => Activation::Relu6,
            "LeakyRelu" => Activation::LeakyRelu,
            "Softmax" => Activation::Softmax,
            _ => return None,
        })
    }

    /// The type's name in `constnet::layer`.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "Identity",
            Activation::Sigmoid => "Sigmoid",
            Activation::Tanh => "Tanh",
            Activation::Relu => "Relu",
            Activation::Relu6 => "Relu6",
            Activation::LeakyRelu => "LeakyRelu",
            Activation::Softmax => "Softmax",
        }
    }
}

/// The initializer of a layer's weights: the one written, or by default
/// one chosen by the activation that follows.
#[derive(Clone, Copy)]
pub enum Init<'a> {
    XavierUniform,
    HeUniform,
    Written(&'a Expr),
}

/// The shape of a value flowing between layers.
#[derive(Clone)]
pub enum Shape<'a> {
    Known(Vec<usize>),
    /// The input or output of a layer of another type, known to the compiler.
    InputOf(&'a LayerType),
    OutputOf(&'a LayerType),
}

/// `expected == found`, to be checked by the compiler, with the message
/// to show.
pub struct Assertion<'a> {
    pub expected: Shape<'a>,
    pub found: Shape<'a>,
    pub message: String,
    pub span: Span,
}

/// What the layer before produced, for the next layer and the messages.
struct Producer<'a> {
    /// `None` for the `input: [...]` line.
    name: Option<&'a Ident>,
    shape: Shape<'a>,
    /// The shape a `Flatten` flattened, for messages.
    flattened_from: Option<Vec<usize>>,
    /// The layer's type as written, for messages.
    written_type: Option<String>,
}

/// "`pool1` produces" or "the input has": the subject and verb of a
/// message about what a layer received.
struct Produces<'a>(Option<&'a Ident>);

impl fmt::Display for Produces<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(name) => write!(f, "`{name}` produces"),
            None => f.write_str("the input has"),
        }
    }
}

impl Producer<'_> {
    /// "`hidden`" or "the input", as the subject of a message.
    fn subject(&self) -> String {
        match self.name {
            Some(name) => format!("`{name}`"),
            None => "the input".to_string(),
        }
    }
}

pub fn check(network: &Network) -> syn::Result<Checked<'_>> {
    let scalar = check_scalar(&network.scalar)?;
    let mut errors: Option<Error> = None;
    let mut report = |error: Error| match &mut errors {
        Some(all) => all.combine(error),
        None => errors = Some(error),
    };

    let mut names = HashSet::new();
    for layer in &network.layers {
        if let LayerSyntax::Named { name, .. } = &layer.kind
            && !names.insert(name.unraw().to_string())
        {
            report(Error::new(
                name.span(),
                format!("duplicate layer name `{name}`: each named layer is a field of the struct"),
            ));
        }
    }

    let mut layers: Vec<Layer> = Vec::new();
    let mut input = None;
    let mut producer: Option<Producer> = None;
    // After a layer that could not be read, shapes are unknown: checking the
    // next layer against an older one would only report false errors.
    let mut shapes_lost = false;
    for (position, layer) in network.layers.iter().enumerate() {
        match &layer.kind {
            LayerSyntax::Input { name, dims } => {
                match check_input(name, dims, &layer.attrs, position) {
                    Ok(dims) => {
                        input = Some(Shape::Known(dims.clone()));
                        let shape = Shape::Known(dims);
                        producer = Some(Producer {
                            name: None,
                            shape,
                            flattened_from: None,
                            written_type: None,
                        });
                    }
                    Err(error) => {
                        report(error);
                        shapes_lost = true;
                    }
                }
            }
            LayerSyntax::Named { name, ty, output, init } => {
                let previous = if shapes_lost { None } else { producer.as_ref() };
                if previous.is_none() && position > 0 && needs_incoming_shape(ty) {
                    // An earlier line failed, so what comes in is unknown.
                    continue;
                }
                let checked = check_field_attrs(&layer.attrs)
                    .and_then(|()| named_layer(name, ty, output.as_ref(), init.as_ref(), previous));
                shapes_lost = false;
                match checked {
                    Ok(Named { kind, input: takes, output, input_check, output_check }) => {
                        if layers.is_empty() && input.is_none() {
                            input = Some(takes);
                        }
                        let flattened_from = match (&kind, &producer) {
                            (Kind::Builtin { kind, .. }, Some(previous))
                                if kind.name == "Flatten" =>
                            {
                                match &previous.shape {
                                    Shape::Known(dims) => Some(dims.clone()),
                                    _ => None,
                                }
                            }
                            _ => None,
                        };
                        let converts_input = input_check.is_some()
                            || layers.last().is_some_and(|l| l.output_check.is_some());
                        producer = Some(Producer {
                            name: Some(name),
                            shape: output.clone(),
                            flattened_from,
                            written_type: Some(ty.written()),
                        });
                        layers.push(Layer {
                            field: name.clone(),
                            attrs: &layer.attrs,
                            kind,
                            output,
                            input_check,
                            output_check,
                            converts_input,
                        });
                    }
                    Err(error) => {
                        report(error);
                        shapes_lost = true;
                        producer = None;
                    }
                }
            }
            LayerSyntax::Bare { kind, arguments } => {
                match check_activation(kind, arguments, &layer.attrs, producer.as_ref(), position) {
                    Ok((activation, slope)) => {
                        // Without a producer, an earlier layer failed and was reported.
                        let Some(previous) = &producer else { continue };
                        let field = trace_field(activation, position, &names);
                        let kind = Kind::Activation { activation, slope };
                        let output = previous.shape.clone();
                        let converts_input =
                            layers.last().is_some_and(|l| l.output_check.is_some());
                        layers.push(Layer {
                            field,
                            attrs: &layer.attrs,
                            kind,
                            output,
                            input_check: None,
                            output_check: None,
                            converts_input,
                        });
                    }
                    Err(error) => report(error),
                }
            }
        }
    }
    if layers.is_empty() && errors.is_none() {
        return Err(Error::new(
            network.brace.span.join(),
            "a network needs at least one layer, e.g. `out: Dense<2, 1>`",
        ));
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    choose_initializers(&mut layers);

    // No error means a layer came and set the shapes.
    let input = input.expect("the first layer fixes the input");
    let output = layers.last().expect("a layer").output.clone();
    let derives_default = derives(&network.attrs, "Default");
    Ok(Checked { network, scalar, layers, input, output, derives_default })
}

fn check_scalar(scalar: &Type) -> syn::Result<&Ident> {
    if let Type::Path(path) = scalar
        && let Some(ident) = path.path.get_ident()
        && (ident == "f32" || ident == "f64")
    {
        return Ok(ident);
    }
    let found = quote::ToTokens::to_token_stream(scalar).to_string();
    Err(Error::new(
        scalar.span(),
        format!("the scalar of a network is `f32` or `f64`, found `{found}`"),
    ))
}

/// `input: [1, 28, 28]`: first, named `input`, one to three sizes.
fn check_input(
    name: &Ident,
    dims: &Dims,
    attrs: &[Attribute],
    position: usize,
) -> syn::Result<Vec<usize>> {
    if name != "input" {
        return Err(Error::new(
            name.span(),
            format!(
                "`{name}: [...]`: the input's shape is written `input: [...]`, \
                 e.g. `input: [1, 28, 28]`"
            ),
        ));
    }
    if position != 0 {
        return Err(Error::new(name.span(), "the input's shape comes first, before every layer"));
    }
    if let Some(attr) = attrs.first() {
        return Err(Error::new_spanned(attr, "the input's shape takes no attribute"));
    }
    read_dims(dims)
}

/// A shape written out: one to three sizes of at least 1.
fn read_dims(dims: &Dims) -> syn::Result<Vec<usize>> {
    if dims.list.is_empty() || dims.list.len() > 3 {
        return Err(Error::new(
            dims.bracket.span.join(),
            "a shape is a vector `[N]`, channels × length `[C, L]` or channels × height × \
             width `[C, H, W]`",
        ));
    }
    dims.list
        .iter()
        .map(|dim| {
            if !dim.suffix().is_empty() && dim.suffix() != "usize" {
                return Err(Error::new(dim.span(), "a size is a plain integer, e.g. `3`"));
            }
            match dim.base10_parse()? {
                0 => Err(Error::new(dim.span(), "a size of 0; every size must be at least 1")),
                n => Ok(n),
            }
        })
        .collect()
}

/// Whether `#[derive(...)]` among `attrs` names `trait_name`.
fn derives(attrs: &[Attribute], trait_name: &str) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("derive")) {
        // A derive list that does not parse is left for the compiler to report.
        let _ = attr.parse_nested_meta(|meta| {
            found |= meta.path.is_ident(trait_name);
            Ok(())
        });
    }
    found
}

/// A field is always there: the forward and backward passes go through it.
fn check_field_attrs(attrs: &[Attribute]) -> syn::Result<()> {
    match attrs.iter().find(|attr| attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr"))
    {
        Some(attr) => Err(Error::new_spanned(
            attr,
            "a layer cannot be conditional: the forward and backward passes always go through it",
        )),
        None => Ok(()),
    }
}

/// A named layer, checked against what comes in.
struct Named<'a> {
    kind: Kind<'a>,
    /// The shape it takes: for a first layer, the network's input.
    input: Shape<'a>,
    output: Shape<'a>,
    input_check: Option<Assertion<'a>>,
    output_check: Option<Assertion<'a>>,
}

fn named_layer<'a>(
    name: &'a Ident,
    ty: &'a LayerType,
    declared: Option<&Dims>,
    init: Option<&'a Expr>,
    previous: Option<&Producer<'a>>,
) -> syn::Result<Named<'a>> {
    let declared = match declared {
        Some(dims) => Some((read_dims(dims)?, dims)),
        None => None,
    };
    let builtin = (ty.path.segments.len() == 1 && ty.path.leading_colon.is_none())
        .then(|| kinds::find(ty.kind()))
        .flatten();
    let Some(kind) = builtin else {
        return external_layer(name, ty, declared, init, previous);
    };
    let produces = Produces(previous.and_then(|p| p.name));
    let incoming = match previous {
        Some(Producer { shape: Shape::Known(shape), flattened_from, .. }) => {
            Some(Incoming { shape, producer: &produces, flattened_from: flattened_from.as_deref() })
        }
        Some(previous) if !kind.input_from_arguments => {
            return Err(Error::new(
                ty.span(),
                format!(
                    "`{name}` follows {}, whose output shape only the compiler knows, but a \
                     {} needs it: write it after that layer's type, as in `{}: {} -> [...]`",
                    previous.subject(),
                    kind.name,
                    previous.name.map_or_else(|| "layer".to_string(), |n| n.to_string()),
                    previous.written_type.as_deref().unwrap_or("Type"),
                ),
            ));
        }
        // A dense layer after a layer of another type: the compiler compares.
        _ => None,
    };
    let layer = kinds::Layer::new(name, kind, ty.span(), ty.arguments.as_ref(), incoming)?;
    let built = (kind.build)(&layer)?;
    if let Some((dims, written)) = &declared
        && *dims != built.output
    {
        return Err(Error::new(
            written.bracket.span.join(),
            format!("`{name}` produces {}, not {}", Shown(&built.output), Shown(dims)),
        ));
    }
    let init = match (init, kind.trainable) {
        (Some(init), true) => Init::Written(init),
        (None, _) => Init::XavierUniform,
        (Some(init), false) => {
            return Err(Error::new_spanned(
                init,
                format!("`{name}` has no weights: a {} has nothing to initialize", kind.name),
            ));
        }
    };
    let input_check = match previous {
        Some(previous @ Producer { shape: Shape::InputOf(_) | Shape::OutputOf(_), .. }) => {
            Some(Assertion {
                expected: Shape::Known(built.input.clone()),
                found: previous.shape.clone(),
                message: format!(
                    "`{name}` expects {} inputs but {} produces a different number",
                    built.input[0],
                    previous.subject()
                ),
                span: ty
                    .arguments
                    .as_ref()
                    .and_then(|a| a.list.first())
                    .map_or(ty.span(), |a| a.span()),
            })
        }
        _ => None,
    };
    Ok(Named {
        kind: Kind::Builtin { kind, ty: built.ty, init, doc: built.doc },
        input: Shape::Known(built.input),
        output: Shape::Known(built.output),
        input_check,
        output_check: None,
    })
}

/// A network declared with `network!` or another type implementing
/// `Layer`, written `name: Type` or `name: Type<ARGUMENTS>` (the scalar
/// comes first: `Type<T, ARGUMENTS>`).
fn external_layer<'a>(
    name: &'a Ident,
    ty: &'a LayerType,
    declared: Option<(Vec<usize>, &Dims)>,
    init: Option<&'a Expr>,
    previous: Option<&Producer<'a>>,
) -> syn::Result<Named<'a>> {
    if let Some(argument) = ty.arguments.iter().flat_map(|a| &a.list).find(|a| a.name.is_some()) {
        return Err(Error::new(
            argument.span(),
            format!(
                "unknown layer `{}`: arguments written by name are for the built-in layers ({})",
                ty.written(),
                builtin_names()
            ),
        ));
    }
    if let Some(init) = init {
        return Err(Error::new_spanned(
            init,
            format!(
                "`{name}` is a layer of its own type: it draws its own weights in its \
                 `random`, or its network chooses them in its own `network!`"
            ),
        ));
    }
    let input_check = previous.map(|previous| {
        let message = match &previous.shape {
            Shape::Known(dims) if dims.len() == 1 && previous.name.is_some() => {
                format!(
                    "`{name}` does not take the {} values that {} produces",
                    dims[0],
                    previous.subject()
                )
            }
            Shape::Known(dims) if previous.name.is_some() => {
                format!(
                    "`{name}` does not take the {} values that {} produces",
                    Shown(dims),
                    previous.subject()
                )
            }
            Shape::Known(dims) => {
                format!("`{name}` does not take the input's {} values", Shown(dims))
            }
            _ => format!("`{name}` does not take what {} produces", previous.subject()),
        };
        Assertion {
            expected: Shape::InputOf(ty),
            found: previous.shape.clone(),
            message,
            span: ty.span(),
        }
    });
    let (output, output_check) = match declared {
        Some((dims, written)) => {
            let message =
                format!("`{name}` does not produce the {} written after its `->`", Shown(&dims));
            let check = Assertion {
                expected: Shape::Known(dims.clone()),
                found: Shape::OutputOf(ty),
                message,
                span: written.bracket.span.join(),
            };
            (Shape::Known(dims), Some(check))
        }
        None => (Shape::OutputOf(ty), None),
    };
    Ok(Named {
        kind: Kind::External { ty },
        input: Shape::InputOf(ty),
        output,
        input_check,
        output_check,
    })
}

/// Whether a layer of this type can only be read knowing the shape that
/// comes in: a built-in kind whose arguments do not fix it.
fn needs_incoming_shape(ty: &LayerType) -> bool {
    ty.path.segments.len() == 1
        && kinds::find(ty.kind()).is_some_and(|kind| !kind.input_from_arguments)
}

fn builtin_names() -> String {
    let names: Vec<_> = kinds::KINDS.iter().map(|kind| format!("`{}`", kind.name)).collect();
    names.join(", ")
}

/// An activation and, for `LeakyRelu`, its slope.
fn check_activation(
    kind: &Ident,
    arguments: &Option<(Paren, TokenStream)>,
    attrs: &[Attribute],
    previous: Option<&Producer>,
    position: usize,
) -> syn::Result<(Activation, Option<Expr>)> {
    if let Some(builtin) = kinds::find(kind) {
        return Err(Error::new(
            kind.span(),
            format!(
                "a {} is a layer of the struct: give it a name, e.g. `{}: {}`",
                builtin.name,
                builtin.name.to_lowercase(),
                builtin.usage.split('`').nth(1).unwrap_or(builtin.name)
            ),
        ));
    }
    let Some(activation) = Activation::from_name(kind) else {
        return Err(Error::new(
            kind.span(),
            format!(
                "unknown layer `{kind}`: the activations are `Identity`, `Sigmoid`, `Tanh`, \
                 `Relu`, `Relu6`, `LeakyRelu(slope)` and `Softmax`; other layers are named, as in \
                 `hidden: Dense<2, 3>`"
            ),
        ));
    };
    if let Some(attr) = attrs.first() {
        return Err(Error::new_spanned(
            attr,
            "attributes and doc comments go on named layers; an activation has no field to carry them",
        ));
    }
    let slope = match (activation, arguments) {
        (_, None) => None,
        (Activation::LeakyRelu, Some((paren, tokens))) if tokens.is_empty() => {
            return Err(Error::new(
                paren.span.join(),
                "`LeakyRelu(slope)` needs its slope, e.g. `LeakyRelu(0.01)`; \
                 written bare, `LeakyRelu` has slope 0.01",
            ));
        }
        (Activation::LeakyRelu, Some((_, tokens))) => Some(syn::parse2(tokens.clone())?),
        (_, Some((paren, _))) => {
            return Err(Error::new(paren.span.join(), format!("`{kind}` takes no argument")));
        }
    };
    if position == 0 || previous.is_some_and(|p| p.name.is_none()) {
        return Err(Error::new(
            kind.span(),
            format!(
                "`{kind}` cannot come first: the first layer fixes the input's shape, \
                 so it is a layer such as `Dense<IN, OUT>` or a network"
            ),
        ));
    }
    if let Some(Producer { name: Some(name), shape: Shape::Known(dims), .. }) = previous
        && activation == Activation::Softmax
        && dims.len() > 1
    {
        return Err(Error::new(
            kind.span(),
            format!(
                "`Softmax` normalizes a vector but `{name}` produces {}: put a `Flatten` \
                 layer before it, e.g. `flatten: Flatten`",
                Shown(dims)
            ),
        ));
    }
    Ok((activation, slope))
}

/// Trace fields of activations are named after them and their position
/// (`tanh1`), made unique against the names of the layers.
fn trace_field(activation: Activation, position: usize, taken: &HashSet<String>) -> Ident {
    let mut name = format!("{}{position}", activation.name().to_lowercase());
    while taken.contains(&name) {
        name.push('_');
    }
    Ident::new(&name, Span::call_site())
}

/// Xavier/Glorot before saturating or linear activations, He before ReLUs:
/// the activation that follows a layer with weights decides.
fn choose_initializers(layers: &mut [Layer]) {
    for i in 0..layers.len() {
        let next_activation = layers[i + 1..]
            .iter()
            .map_while(|layer| match layer.kind {
                Kind::Activation { activation, .. } => Some(activation),
                _ => None,
            })
            .find(|&activation| activation != Activation::Identity);
        if let Kind::Builtin { init, kind, .. } = &mut layers[i].kind
            && kind.trainable
            && !matches!(init, Init::Written(_))
        {
            *init = match next_activation {
                Some(Activation::Relu | Activation::Relu6 | Activation::LeakyRelu) => {
                    Init::HeUniform
                }
                _ => Init::XavierUniform,
            };
        }
    }
}
