public enum EDMKitIOPlaceholder {}
