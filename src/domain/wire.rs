//! Wire enums: each variant's name on the wire is written exactly once.
//!
//! [`wire_enum!`] declares an enum whose variants carry their wire name; it derives serde
//! (one `#[serde(rename)]` per variant) and `utoipa::ToSchema` from that name, and generates
//! `ALL`, `as_str` and `parse` from the same list, so the four can never disagree. (Wire names
//! are taken as `tt`, not `literal`: utoipa does not read a `literal` fragment's rename.)

/// Declares a fieldless enum with one wire name per variant (see the module docs).
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:tt ),+ $(,)?
        }
    ) => {
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            /// Parses a wire name; `None` for a name this enum does not have.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::wire_enum! {
        /// A test enum.
        enum Sample {
            One = "one",
            TwoWords = "two_words",
        }
    }

    #[test]
    fn names_agree_between_serde_as_str_and_parse() {
        for &s in Sample::ALL {
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, serde_json::Value::String(s.as_str().into()));
            assert_eq!(Sample::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::from_value::<Sample>(json).unwrap(), s);
        }
        assert_eq!(Sample::TwoWords.to_string(), "two_words");
        assert_eq!(Sample::parse("three"), None);
    }

    #[test]
    fn the_openapi_schema_lists_the_wire_names() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Sample::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["one", "two_words"]));
    }
}
