//! Entra ID sign-in and audit logs in the diagnostic-settings export shape (`{"records":[...]}`
//! with `properties`), hourly `PT1H.json` files as a storage account receives them.

pub(crate) mod audit;
pub(crate) mod signin;
