output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = aws_eks_cluster.main.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.main.endpoint
}

output "cluster_certificate_authority" {
  description = "Base64 CA bundle of the API endpoint."
  value       = aws_eks_cluster.main.certificate_authority[0].data
}

output "oidc_provider_arn" {
  description = "OIDC provider for IRSA."
  value       = aws_iam_openid_connect_provider.eks.arn
}

output "app_role_arn" {
  description = "Set as serviceAccount.annotations.\"eks.amazonaws.com/role-arn\" in the chart."
  value       = aws_iam_role.app.arn
}

output "models_bucket" {
  description = "Bucket for model weights (inference.*.storageUri = s3://<bucket>/...)."
  value       = aws_s3_bucket.this["models"].bucket
}

output "artifacts_bucket" {
  description = "Bucket for MLflow artifacts (mlflow.artifactsDestination = s3://<bucket>/mlflow)."
  value       = aws_s3_bucket.this["artifacts"].bucket
}

output "gpu_node_selector" {
  description = "Node label of the GPU node group (inference.gpu.nodeSelector)."
  value       = { "shoptalk.io/node-pool" = "gpu" }
}
