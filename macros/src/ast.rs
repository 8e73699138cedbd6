//! Syntax of the `network!` block, parsed as written; meaning is checked in
//! `check`.
//!
//! ```text
//! #[attributes] visibility struct Name<scalar> {
//!     name: Dense<IN, OUT>,    // a layer with parameters
//!     name: Dense<IN, OUT> = init, // ... and the initializer of its weights
//!     name: OtherNetwork,      // a network declared with `network!`
//!     Activation,              // e.g. Tanh, or LeakyRelu(0.01)
//!     ...
//! }
//! ```

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::token::{Brace, Paren};
use syn::{Attribute, Expr, Ident, Path, Token, Type, Visibility, braced, parenthesized};

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

pub enum LayerSyntax {
    /// `name: Type` or `name: Type = init`: a layer with parameters, stored
    /// in a field, and the initializer of its weights.
    Named { name: Ident, ty: Path, init: Option<Expr> },
    /// `Kind` or `Kind(arguments)`: an activation.
    Bare { kind: Ident, arguments: Option<(Paren, TokenStream)> },
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
            let ty = input.parse()?;
            let init = match input.parse::<Option<Token![=]>>()? {
                Some(_) => Some(input.parse()?),
                None => None,
            };
            LayerSyntax::Named { name: ident, ty, init }
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
