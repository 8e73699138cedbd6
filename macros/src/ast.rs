//! Syntax of the `network!` block, parsed as written; meaning is checked in
//! `check`.
//!
//! ```text
//! #[attributes] visibility struct Name<scalar> {
//!     input: [1, 28, 28],                  // optional: the shape of the input
//!     name: Kind<arguments>,               // a layer, e.g. Dense<2, 3>
//!     name: Kind<arguments> = init,        // ... and the initializer of its weights
//!     name: Conv2d<1, 6, 5, padding = 2>,  // arguments may be named
//!     name: OtherNetwork,                  // a network declared with `network!`
//!     name: MyLayer<4> -> [4],             // any layer, and the shape it produces
//!     Activation,                          // e.g. Tanh, or LeakyRelu(0.01)
//!     ...
//! }
//! ```

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::token::{Brace, Bracket, Paren};
use syn::{
    Attribute, Expr, GenericArgument, Ident, LitInt, Path, Token, Type, Visibility, braced,
    bracketed, parenthesized,
};

pub struct Network {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub scalar: Type,
    pub brace: Brace,
    pub layers: Punctuated<Layer, Token![,]>,
}

pub struct Layer {
    pub attrs: Vec<Attribute>,
    pub kind: LayerSyntax,
}

/// `[1, 28, 28]`: a shape, written out.
pub struct Dims {
    pub bracket: Bracket,
    pub list: Punctuated<LitInt, Token![,]>,
}

impl Parse for Dims {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        let bracket = bracketed!(content in input);
        Ok(Dims { bracket, list: content.parse_terminated(LitInt::parse, Token![,])? })
    }
}

// Parsed once per macro call: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum LayerSyntax {
    /// `input: [dimensions]`: the shape of the network's input.
    Input { name: Ident, dims: Dims },
    /// `name: Type`, `name: Type -> [dimensions]` or `name: Type = init`:
    /// a layer stored in a field, the shape it produces, and the
    /// initializer of its weights.
    Named { name: Ident, ty: LayerType, output: Option<Dims>, init: Option<Expr> },
    /// `Kind` or `Kind(arguments)`: an activation.
    Bare { kind: Ident, arguments: Option<(Paren, TokenStream)> },
}

/// `Kind<arguments>`: a path, and arguments in angle brackets, each an
/// integer, a pair `(3, 5)`, a word (`same`, or a constant's name), or any
/// other generic argument, and each optionally named (`stride = 2`).
pub struct LayerType {
    pub path: Path,
    pub arguments: Option<Arguments>,
}

pub struct Arguments {
    pub span: Span,
    pub list: Vec<Argument>,
}

pub struct Argument {
    pub name: Option<Ident>,
    pub value: Value,
}

pub enum Value {
    Int(LitInt),
    Pair { paren: Paren, first: LitInt, second: LitInt },
    Word(Ident),
    Other(Box<GenericArgument>),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Int(int) => int.span(),
            Value::Pair { paren, .. } => paren.span.join(),
            Value::Word(word) => word.span(),
            Value::Other(other) => other.span(),
        }
    }
}

impl Argument {
    /// From the name, if any, to the end of the value.
    pub fn span(&self) -> Span {
        let value = self.value.span();
        self.name.as_ref().and_then(|name| name.span().join(value)).unwrap_or(value)
    }
}

impl ToTokens for Value {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Value::Int(int) => int.to_tokens(tokens),
            Value::Pair { paren, first, second } => {
                paren.surround(tokens, |inner| {
                    first.to_tokens(inner);
                    <Token![,]>::default().to_tokens(inner);
                    second.to_tokens(inner);
                });
            }
            Value::Word(word) => word.to_tokens(tokens),
            Value::Other(other) => other.to_tokens(tokens),
        }
    }
}

impl Parse for Network {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name = input.parse()?;
        input.parse::<Token![<]>().map_err(|e| {
            syn::Error::new(e.span(), "expected the scalar type after the name, e.g. `Xor<f32>`")
        })?;
        let scalar = input.parse()?;
        input.parse::<Token![>]>()?;
        let content;
        let brace = braced!(content in input);
        let layers = content.parse_terminated(Layer::parse, Token![,])?;
        Ok(Network { attrs, vis, name, scalar, brace, layers })
    }
}

impl Parse for Layer {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let ident: Ident = input.parse()?;
        let kind = if input.peek(Token![:]) && !input.peek(Token![::]) {
            input.parse::<Token![:]>()?;
            if input.peek(Bracket) {
                LayerSyntax::Input { name: ident, dims: input.parse()? }
            } else {
                let ty = input.parse()?;
                let output = match input.parse::<Option<Token![->]>>()? {
                    Some(_) => Some(input.parse()?),
                    None => None,
                };
                let init = match input.parse::<Option<Token![=]>>()? {
                    Some(_) => Some(input.parse()?),
                    None => None,
                };
                LayerSyntax::Named { name: ident, ty, output, init }
            }
        } else if input.peek(Token![<]) {
            let written =
                LayerType { path: ident.clone().into(), arguments: parse_arguments(input)? };
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "a layer written with arguments is a field of the struct: give it a name, \
                     e.g. `{}: {}`",
                    ident.to_string().to_lowercase(),
                    written.written()
                ),
            ));
        } else if input.peek(Paren) {
            let content;
            let paren = parenthesized!(content in input);
            LayerSyntax::Bare { kind: ident, arguments: Some((paren, content.parse()?)) }
        } else {
            LayerSyntax::Bare { kind: ident, arguments: None }
        };
        Ok(Layer { attrs, kind })
    }
}

impl Parse for LayerType {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path = Path::parse_mod_style(input)?;
        Ok(LayerType { path, arguments: parse_arguments(input)? })
    }
}

/// `<argument, ...>`, if the input goes on with `<`.
fn parse_arguments(input: ParseStream) -> syn::Result<Option<Arguments>> {
    if !input.peek(Token![<]) {
        return Ok(None);
    }
    let open = input.parse::<Token![<]>()?;
    let mut list = Vec::new();
    while !input.peek(Token![>]) {
        list.push(input.parse()?);
        if !input.peek(Token![>]) {
            input.parse::<Token![,]>()?;
        }
    }
    let close = input.parse::<Token![>]>()?;
    let span = open.span.join(close.span).unwrap_or(open.span);
    Ok(Some(Arguments { span, list }))
}

impl Parse for Argument {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = if input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let name = input.parse()?;
            input.parse::<Token![=]>()?;
            Some(name)
        } else {
            None
        };
        let value = if input.peek(LitInt) {
            Value::Int(input.parse()?)
        } else if input.peek(Paren) {
            let content;
            let paren = parenthesized!(content in input);
            let first = content.parse()?;
            content.parse::<Token![,]>()?;
            let second = content.parse()?;
            content.parse::<Option<Token![,]>>()?;
            Value::Pair { paren, first, second }
        } else if input.peek(Ident) && (input.peek2(Token![,]) || input.peek2(Token![>])) {
            Value::Word(input.parse()?)
        } else {
            Value::Other(Box::new(input.parse()?))
        };
        Ok(Argument { name, value })
    }
}

impl ToTokens for LayerType {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.path.to_tokens(tokens);
        if let Some(arguments) = &self.arguments {
            <Token![<]>::default().to_tokens(tokens);
            for (i, argument) in arguments.list.iter().enumerate() {
                if i > 0 {
                    <Token![,]>::default().to_tokens(tokens);
                }
                if let Some(name) = &argument.name {
                    name.to_tokens(tokens);
                    <Token![=]>::default().to_tokens(tokens);
                }
                argument.value.to_tokens(tokens);
            }
            <Token![>]>::default().to_tokens(tokens);
        }
    }
}

impl LayerType {
    /// The last segment of the path: the kind's name.
    pub fn kind(&self) -> &Ident {
        &self.path.segments.last().expect("a parsed path has a segment").ident
    }

    /// Where the whole type was written.
    pub fn span(&self) -> Span {
        let path = self.path.span();
        match &self.arguments {
            Some(arguments) => path.join(arguments.span).unwrap_or(path),
            None => path,
        }
    }

    /// As written, for messages: `Conv<2, 3>`.
    pub fn written(&self) -> String {
        self.to_token_stream().to_string().replace(" < ", "<").replace(" >", ">").replace(" ,", ",")
    }
}
