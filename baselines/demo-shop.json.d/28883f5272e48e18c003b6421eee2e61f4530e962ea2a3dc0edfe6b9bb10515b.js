
    window.checkoutConfig = {formKey: "f3a9c1d2e4b5a6c7", quoteId: 81723, currency: "USD"};
  