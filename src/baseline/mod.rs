//! Baselines as code (PCI DSS 6.4.3 inventory, 11.6.1 change detection): a reviewed JSON record
//! of a site's payment-page scripts and security headers, kept in git, and the comparison of a
//! scan against it.
