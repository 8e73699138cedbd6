//! Gives the parsed block its meaning: which layer is which, every size, and
//! an error at the right place, in plain words, for anything that is wrong.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::token::Paren;
use syn::{Attribute, Error, Expr, GenericArgument, Ident, LitInt, Path, PathArguments, Type};

use crate::ast::{LayerSyntax, Network};

/// A network whose layers are known and whose sizes fit together.
pub struct Checked<'a> {
    pub network: &'a Network,
    /// `f32` or `f64`: the default of the network's type parameter.
    pub scalar: &'a Ident,
    pub layers: Vec<Layer<'a>>,
    pub input: Width<'a>,
    pub output: Width<'a>,
    /// Whether the user derives `Default`, which then need not be generated.
    pub derives_default: bool,
}

pub struct Layer<'a> {
    /// The struct field (layers with parameters) or trace field holding it.
    pub field: Ident,
    pub attrs: &'a [Attribute],
    pub kind: Kind<'a>,
    /// Set when only the compiler can tell whether this layer takes what
    /// the previous one produces (a nested network on either side).
    pub input_check: Option<Assertion<'a>>,
}

pub enum Kind<'a> {
    Dense { inputs: usize, outputs: usize, init: Init<'a>, span: Span },
    Nested { path: &'a Path },
    Activation { activation: Activation, slope: Option<Expr>, width: Width<'a> },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
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
            Activation::LeakyRelu => "LeakyRelu",
            Activation::Softmax => "Softmax",
        }
    }
}

/// The initializer of a dense layer's weights: the one written, or by
/// default one chosen by the activation that follows.
#[derive(Clone, Copy)]
pub enum Init<'a> {
    XavierUniform,
    HeUniform,
    Written(&'a Expr),
}

/// A number of values flowing between layers.
#[derive(Clone, Copy)]
pub enum Width<'a> {
    Known(usize),
    /// The input or output size of a nested network, known to the compiler.
    InputOf(&'a Path),
    OutputOf(&'a Path),
}

impl<'a> Kind<'a> {
    /// Sizes in and out, for layers with parameters.
    fn widths(&self) -> Option<(Width<'a>, Width<'a>)> {
        match self {
            Kind::Dense { inputs, outputs, .. } => {
                Some((Width::Known(*inputs), Width::Known(*outputs)))
            }
            Kind::Nested { path } => Some((Width::InputOf(path), Width::OutputOf(path))),
            Kind::Activation { .. } => None,
        }
    }
}

/// `left == right`, to be checked by the compiler, with the message to show.
pub struct Assertion<'a> {
    pub left: Width<'a>,
    pub right: Width<'a>,
    pub message: String,
    pub span: Span,
}

/// The layer that last set the width, for messages: "`hidden` produces 3".
struct Producer<'a> {
    name: &'a Ident,
    width: Width<'a>,
}

pub fn check(network: &Network) -> syn::Result<Checked<'_>> {
    let scalar = check_scalar(&network.scalar)?;
    if network.layers.is_empty() {
        return Err(Error::new(
            network.brace.span.join(),
            "a network needs at least one layer, e.g. `out: Dense<2, 1>`",
        ));
    }

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

    let mut layers = Vec::new();
    let mut producer: Option<Producer> = None;
    // After a layer that could not be read, sizes are unknown: checking the
    // next layer against an older one would only report false errors.
    let mut sizes_lost = false;
    for (position, layer) in network.layers.iter().enumerate() {
        match &layer.kind {
            LayerSyntax::Named { name, ty, init } => {
                let kind = match check_field_attrs(&layer.attrs)
                    .and_then(|()| named_kind(name, ty, init.as_ref()))
                {
                    Ok(kind) => kind,
                    Err(error) => {
                        report(error);
                        sizes_lost = true;
                        continue;
                    }
                };
                let (expects, produces) = kind.widths().expect("named layers have sizes");
                let mut input_check = None;
                if let Some(previous) = &producer
                    && !sizes_lost
                {
                    match fits(name, ty, expects, previous) {
                        Ok(assertion) => input_check = assertion,
                        Err(error) => report(error),
                    }
                }
                producer = Some(Producer { name, width: produces });
                sizes_lost = false;
                layers.push(Layer { field: name.clone(), attrs: &layer.attrs, kind, input_check });
            }
            LayerSyntax::Bare { kind, arguments } => {
                let checked = check_activation(kind, arguments, &layer.attrs, position == 0);
                match (checked, &producer) {
                    (Ok((activation, slope)), Some(previous)) => {
                        let field = trace_field(activation, position, &names);
                        let kind = Kind::Activation { activation, slope, width: previous.width };
                        layers.push(Layer { field, attrs: &layer.attrs, kind, input_check: None });
                    }
                    // Without a producer, an earlier layer failed and was reported.
                    (Ok(_), None) => {}
                    (Err(error), _) => report(error),
                }
            }
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    choose_initializers(&mut layers);

    // No error means the first layer has sizes and the last one set a width.
    let (input, _) = layers[0].kind.widths().expect("the first layer has sizes");
    let output = producer.expect("a layer has sizes").width;
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

/// What a named layer is: a dense layer with valid sizes, or a network.
fn named_kind<'a>(name: &Ident, ty: &'a Path, init: Option<&'a Expr>) -> syn::Result<Kind<'a>> {
    let last = ty.segments.last().expect("a parsed path has a segment");
    if last.ident == "Dense" && ty.segments.len() == 1 {
        let [inputs, outputs] = dense_sizes(ty, &last.arguments)?;
        let (inputs, outputs) =
            (positive(name, &inputs, "inputs")?, positive(name, &outputs, "outputs")?);
        let span = ty.span();
        let init = init.map_or(Init::XavierUniform, Init::Written);
        return Ok(Kind::Dense { inputs, outputs, init, span });
    }
    if ty.segments.iter().any(|segment| !segment.arguments.is_empty()) {
        return Err(unknown_named(ty));
    }
    if let Some(init) = init {
        return Err(Error::new_spanned(
            init,
            format!(
                "`{name}` is a network: its layers choose their own initializers, in its own `network!`"
            ),
        ));
    }
    Ok(Kind::Nested { path: ty })
}

/// Whether layer `name` takes what `previous` produces: an error when the
/// macro can tell it does not, an assertion when only the compiler can.
fn fits<'a>(
    name: &Ident,
    ty: &'a Path,
    expects: Width<'a>,
    previous: &Producer<'a>,
) -> syn::Result<Option<Assertion<'a>>> {
    let (producer, produces) = (previous.name, previous.width);
    // Point at the `IN` of `Dense<IN, OUT>`, or at the nested network.
    let span = match &ty.segments[0].arguments {
        PathArguments::AngleBracketed(arguments) => arguments.args[0].span(),
        _ => ty.span(),
    };
    let message = match (expects, produces) {
        (Width::Known(expects), Width::Known(produces)) if expects == produces => return Ok(None),
        (Width::Known(expects), Width::Known(produces)) => {
            let message =
                format!("`{name}` expects {expects} inputs but `{producer}` produces {produces}");
            return Err(Error::new(span, message));
        }
        // A `const` assertion cannot format numbers: say what is known.
        (Width::Known(expects), _) => {
            format!(
                "`{name}` expects {expects} inputs but `{producer}` produces a different number"
            )
        }
        (_, Width::Known(produces)) => {
            format!("`{name}` does not take the {produces} values that `{producer}` produces")
        }
        _ => format!("`{name}` does not take as many values as `{producer}` produces"),
    };
    Ok(Some(Assertion { left: expects, right: produces, message, span }))
}

fn dense_sizes(ty: &Path, arguments: &PathArguments) -> syn::Result<[LitInt; 2]> {
    let usage =
        "a dense layer is written `Dense<IN, OUT>`, with two integer sizes, e.g. `Dense<2, 3>`";
    let PathArguments::AngleBracketed(arguments) = arguments else {
        return Err(Error::new_spanned(ty, usage));
    };
    let mut sizes = Vec::new();
    for argument in &arguments.args {
        match argument {
            GenericArgument::Const(Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. })) => {
                sizes.push(int.clone());
            }
            other => return Err(Error::new_spanned(other, usage)),
        }
    }
    sizes.try_into().map_err(|_| Error::new_spanned(arguments, usage))
}

fn positive(layer: &Ident, size: &LitInt, what: &str) -> syn::Result<usize> {
    if !size.suffix().is_empty() && size.suffix() != "usize" {
        return Err(Error::new(size.span(), "a size is a plain integer, e.g. `3`"));
    }
    let value: usize = size.base10_parse()?;
    if value == 0 {
        return Err(Error::new(
            size.span(),
            format!("`{layer}` has 0 {what}; every size must be at least 1"),
        ));
    }
    Ok(value)
}

fn unknown_named(ty: &Path) -> Error {
    let written =
        quote::ToTokens::to_token_stream(ty).to_string().replace(" < ", "<").replace(" >", ">");
    Error::new_spanned(
        ty,
        format!(
            "unknown layer `{written}`: a layer with parameters is `Dense<IN, OUT>` \
             or a network declared with `network!`, written by its name alone"
        ),
    )
}

/// An activation and, for `LeakyRelu`, its slope.
fn check_activation(
    kind: &Ident,
    arguments: &Option<(Paren, TokenStream)>,
    attrs: &[Attribute],
    first: bool,
) -> syn::Result<(Activation, Option<Expr>)> {
    let Some(activation) = Activation::from_name(kind) else {
        return Err(Error::new(
            kind.span(),
            format!(
                "unknown layer `{kind}`: the activations are `Identity`, `Sigmoid`, `Tanh`, \
                 `Relu`, `LeakyRelu(slope)` and `Softmax`; a layer with parameters is \
                 named, as in `hidden: Dense<2, 3>`"
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
    if first {
        return Err(Error::new(
            kind.span(),
            format!(
                "`{kind}` cannot come first: the first layer fixes the input size, \
                 so it is a `Dense<IN, OUT>` layer or a network"
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
/// the activation that follows a dense layer decides.
fn choose_initializers(layers: &mut [Layer]) {
    for i in 0..layers.len() {
        let next_activation = layers[i + 1..]
            .iter()
            .map_while(|layer| match layer.kind {
                Kind::Activation { activation, .. } => Some(activation),
                _ => None,
            })
            .find(|&activation| activation != Activation::Identity);
        if let Kind::Dense { init, .. } = &mut layers[i].kind
            && !matches!(init, Init::Written(_))
        {
            *init = match next_activation {
                Some(Activation::Relu | Activation::LeakyRelu) => Init::HeUniform,
                _ => Init::XavierUniform,
            };
        }
    }
}
